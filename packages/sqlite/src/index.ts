export { createSqliteStore, type SqliteStoreOptions } from './createSqliteStore.ts';
export { createSqliteBus, type SqliteBus, type SqliteBusOptions } from './createSqliteBus.ts';
export { parseSqliteUrl, type SqliteLocation } from './parseSqliteUrl.ts';
export { inspectSqliteDatabase, type SqliteAccess, type SqliteDatabaseInfo } from './openDatabase.ts';
