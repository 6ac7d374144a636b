export {
  openDatabase,
  openTillDatabase,
  migrate,
  applyPragmas,
  userVersion,
  assertMigrationList,
  checkpoint,
  databaseMarker,
  isDatabaseDamage,
  databaseProgress,
  DatabaseDamagedError,
  DatabaseTooNewError,
} from './database.ts';
export type {
  Database,
  OpenDatabaseOptions,
  OpenedDatabase,
  CorruptDatabaseReport,
  CheckpointResult,
  DatabaseProgress,
} from './database.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';
export { resolveDataDir, defaultDataDir, databaseFile, DB_FILE_NAME, PRODUCT_NAME } from './paths.ts';
