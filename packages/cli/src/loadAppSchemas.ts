import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { schemaRegistry, type AnyEntity, type SchemaRegistry, type TopicDefinition } from '@parley/core';

const TYPESCRIPT = /\.[cm]?tsx?$/i;

/** Run from its TypeScript source (through tsx or vitest), the CLI already loads TypeScript as any module. */
const RUNS_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The topics and entities a module declares, and a schema registry over them. */
export interface AppSchemas {
  readonly topics: ReadonlyArray<TopicDefinition>;
  readonly entities: ReadonlyArray<AnyEntity>;
  readonly registry: SchemaRegistry;
}

/**
 * Imports an application module (a path resolved from the working directory) and collects the Parley topics and
 * entities among its exports, also inside exported arrays and objects one level deep, so that an edited payload
 * can be checked against its schema. A TypeScript module (`.ts`, `.mts`, `.cts`, `.tsx`) is loaded through tsx.
 *
 * @throws Error when the module cannot be loaded or declares no topic or entity.
 * @example
 * const { registry } = await loadAppSchemas('./src/app.ts');
 */
export async function loadAppSchemas(modulePath: string): Promise<AppSchemas> {
  const file = path.resolve(modulePath);
  let exports: Record<string, unknown>;
  try {
    const url = pathToFileURL(file).href;
    exports =
      TYPESCRIPT.test(file) && !RUNS_FROM_SOURCE ? await importTypeScript(url) : await importModule(url);
  } catch (error) {
    throw new Error(
      `cannot load --app ${modulePath}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  const topics = new Map<string, TopicDefinition>();
  const entities = new Map<string, AnyEntity>();
  const collect = (value: unknown): boolean => {
    if (isKind<TopicDefinition>(value, 'topic')) topics.set(value.name, value);
    else if (isKind<AnyEntity>(value, 'entity')) entities.set(value.name, value);
    else return false;
    return true;
  };
  for (const value of Object.values(exports)) {
    if (collect(value)) continue;
    if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
  }
  if (topics.size === 0 && entities.size === 0) {
    throw new Error(
      `--app ${modulePath} exports no Parley topic or entity (looked one level into arrays and objects)`,
    );
  }
  const found = { topics: [...topics.values()], entities: [...entities.values()] };
  return { ...found, registry: schemaRegistry(found) };
}

/**
 * Imports a TypeScript module through tsx's loader, registered for this import and what it imports only: Node 20
 * cannot strip types, and newer versions strip them without resolving the `.js` specifiers TypeScript code uses.
 */
export async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

async function importModule(url: string): Promise<Record<string, unknown>> {
  return (await import(url)) as Record<string, unknown>;
}

function isKind<T extends { name: string }>(value: unknown, kind: 'topic' | 'entity'): value is T {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === kind &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}
