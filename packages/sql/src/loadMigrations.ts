import fs from 'node:fs';

/** One numbered schema change, from `migrations/NNNN_name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{4})_([A-Za-z0-9_]+)\.sql$/;

/**
 * Reads `NNNN_name.sql` files from `dir`, in version order. Throws on a gap or a duplicate number, and — naming
 * `owner` — when the directory is missing (`tsc` alone does not copy SQL files next to compiled code; each
 * adapter's build script does).
 */
export function loadMigrations(dir: URL, owner: string): Migration[] {
  if (!fs.existsSync(dir)) {
    throw new Error(`no migrations at ${dir.pathname}: build ${owner} with its "build" script`);
  }
  const migrations = fs
    .readdirSync(dir)
    .flatMap((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (match === null) return [];
      return [
        {
          version: Number(match[1]),
          name: match[2] ?? file,
          sql: fs.readFileSync(new URL(file, dir), 'utf8'),
        },
      ];
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migrations in ${dir.pathname} must be numbered 0001, 0002 … without gaps or duplicates`,
      );
    }
  });
  return migrations;
}
