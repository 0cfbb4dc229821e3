// Checks the @parley packages installed from their tarballs in a scratch project: every export and bin is there,
// the SQL migrations are in dist, no compiled test or test fixture is shipped, and every source map points at
// sources the package ships. Usage: node checkPackages.js <project dir> <package name>...
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const [project, ...names] = process.argv.slice(2);
const problems = [];

/** Files under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path
        .relative(dir, path.join(entry.parentPath ?? entry.path, entry.name))
        .split(path.sep)
        .join('/'),
    );
}

/** Every string target of an `exports` value (conditions nest). */
function targets(value) {
  if (typeof value === 'string') return [value];
  return Object.values(value ?? {}).flatMap(targets);
}

for (const name of names) {
  const dir = path.join(project, 'node_modules', name);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    problems.push(`${name}: not installed`);
    continue;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const files = filesUnder(dir);
  for (const target of [...targets(pkg.exports), ...Object.values(pkg.bin ?? {})]) {
    if (!fs.existsSync(path.join(dir, target)))
      problems.push(`${name}: ${target} (exports or bin) is missing`);
  }
  for (const file of files.filter((f) => /\.test\.|(^|\/)(fixtures|testkit)\//.test(f))) {
    problems.push(`${name}: ships test file ${file}`);
  }
  for (const migration of files.filter((f) => /^src\/migrations\/.+\.sql$/.test(f))) {
    if (!files.includes(migration.replace(/^src\//, 'dist/'))) {
      problems.push(`${name}: ${migration} is not in dist/migrations`);
    }
  }
  for (const map of files.filter((f) => f.endsWith('.map'))) {
    const { sources = [], sourceRoot = '' } = JSON.parse(fs.readFileSync(path.join(dir, map), 'utf8'));
    for (const source of sources) {
      const resolved = path.resolve(path.dirname(path.join(dir, map)), sourceRoot, source);
      if (!resolved.startsWith(dir + path.sep) || !fs.existsSync(resolved)) {
        problems.push(`${name}: ${map} points at ${source}, which the package does not ship`);
      }
    }
  }
  process.stdout.write(`  ${name}: ${files.length} files\n`);
}

if (problems.length > 0) {
  process.stderr.write(`${problems.map((p) => `  problem: ${p}`).join('\n')}\n`);
  process.exit(1);
}
