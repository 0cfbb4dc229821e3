export { createPostgresStore, type PostgresStoreOptions } from './createPostgresStore.ts';
export { createPostgresBus, type PostgresBus, type PostgresBusOptions } from './createPostgresBus.ts';
export type { PostgresTarget } from './resolveTarget.ts';
