import type BetterSqlite3 from 'better-sqlite3';

/**
 * One numbered schema step. Steps are append-only: once released, a step's SQL never changes;
 * a correction is a new step. `version` equals the file's number and `PRAGMA user_version`
 * after the step.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: BetterSqlite3.Database): void;
}
