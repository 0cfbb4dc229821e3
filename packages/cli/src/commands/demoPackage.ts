import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Loads the example package a demo runs. The examples are optional peers of the CLI, not dependencies: an
 * installed `parley` runs a demo once its package is installed beside it, and otherwise says which one to install.
 * Loaded on use, so that other commands do not pay for an example and its schema library.
 *
 * @param load imports the package, e.g. `() => import('@parley/example-cinema')`: a literal import keeps its types.
 * @throws Error naming the package to install when it is not installed; a package that is installed but fails to
 *   load rethrows its own error.
 * @example
 * const { runCinemaDemo } = await importDemo('@parley/example-cinema', () => import('@parley/example-cinema'));
 */
export async function importDemo<T>(packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isInstalled(packageName)) throw error;
    throw new Error(
      `this demo is in the package ${packageName}, which is not installed: npm install ${packageName}`,
      { cause: error },
    );
  }
}

/** Whether `packageName` is in one of the node_modules folders Node would look in from here. */
function isInstalled(packageName: string): boolean {
  const folders = createRequire(import.meta.url).resolve.paths(packageName) ?? [];
  return folders.some((folder) => fs.existsSync(path.join(folder, packageName, 'package.json')));
}
