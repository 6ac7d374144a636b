export { openDatabase, migrate, applyPragmas, userVersion, assertMigrationList, DatabaseTooNewError } from './database.ts';
export type { Database, OpenDatabaseOptions, CorruptDatabaseReport } from './database.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';
export { resolveDataDir, defaultDataDir, databaseFile, DB_FILE_NAME, PRODUCT_NAME } from './paths.ts';
