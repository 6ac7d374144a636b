// `pos-companion recover [--from FILE]`: copies every readable order and refund of a damaged
// database file into this till's queue (see recover.ts). Without --from it takes every file the
// till moved aside in its data folder (`pos-companion.db.corrupt-*`). Safe to run again: what is
// already here is left as it is. The damaged files are only read.
//
// stdout: one summary line per file, then one line per record that could not be read.
// Exit codes: 0 every row read; 6 (EXIT_DATABASE_DAMAGED) some rows could not be read (listed);
// 1 nothing could be read, or no file to read; 2 refused (the live database, a missing file).
//
// EXIT_DATABASE_DAMAGED is also what every command exits with when the till's database turns out
// damaged or incomplete (see `reportDatabaseDamage`), with what was done and what to do on stderr.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from '../db/paths.ts';
import { DB_FILE_NAME } from '../db/paths.ts';
import { withEngine } from '../engine.ts';
import { gameballSync } from '../sync/wiring.ts';
import { CaptureRefusedError } from '../orders/errors.ts';
import { dataDirOption, EXIT_REFUSED } from './orders.ts';
import { DatabaseDamagedError, isDatabaseDamage } from '../db/database.ts';
import { recoverySummary, runningDamageNotice } from '../db/notices.ts';
import type { RecoveryReport } from '../db/recover.ts';

/** The till's database is damaged or incomplete: stderr says what was done and what to do. */
export const EXIT_DATABASE_DAMAGED = 6;

/**
 * For the CLI's last catch: a damaged database (the engine's DatabaseDamagedError, or SQLite's own
 * corruption error from anywhere) gets its sentence on stderr and EXIT_DATABASE_DAMAGED; anything
 * else: null, and the caller handles it.
 */
export function reportDatabaseDamage(err: unknown): number | null {
  if (!isDatabaseDamage(err)) return null;
  const text =
    err instanceof DatabaseDamagedError ? err.message : runningDamageNotice(err instanceof Error ? err.message : String(err)).message;
  process.stderr.write(`pos-companion: ${text}\n`);
  return EXIT_DATABASE_DAMAGED;
}

/** The files the till moved aside in `dataDir`, oldest first. */
export function movedAsideFiles(dataDir: string): string[] {
  const pattern = new RegExp(`^${DB_FILE_NAME.replace(/\./g, '\\.')}\\.corrupt-[0-9TZ-]+$`);
  try {
    return readdirSync(dataDir)
      .filter((f) => pattern.test(f))
      .sort()
      .map((f) => join(dataDir, f));
  } catch {
    return [];
  }
}

function unreadableLines(report: RecoveryReport): string[] {
  return report.unreadable.map((u) => {
    const about = [u.customerId ? `customer ${u.customerId}` : null, u.capturedAt ? `captured ${u.capturedAt}` : null]
      .filter(Boolean)
      .join(', ');
    const gameball =
      u.atGameball === true ? 'Gameball has it' : u.atGameball === false ? 'not yet sent to Gameball' : 'not known whether Gameball has it';
    return `Could not read ${u.kind} ${u.id}${about ? ` (${about})` : ''}: ${gameball}.`;
  });
}

export function registerDatabaseCommands(program: Command): void {
  program
    .command('recover')
    .description(
      'Copy every readable order and refund from a damaged database file into the queue (default: every file this till moved aside)',
    )
    .addOption(dataDirOption())
    .option('--from <file>', 'the damaged database file (e.g. pos-companion.db.corrupt-<time>); its -wal beside it is read too')
    .option('--json', 'machine-readable output')
    .action(async (flags: { dataDir?: string; from?: string; json?: boolean }) => {
      const dataDir = resolveDataDir({ flag: flags.dataDir });
      const files = flags.from !== undefined ? [flags.from] : movedAsideFiles(dataDir);
      if (files.length === 0) {
        process.stderr.write(
          `pos-companion: no damaged database file in ${dataDir} (none named ${DB_FILE_NAME}.corrupt-*). Give one with --from FILE.\n`,
        );
        process.exitCode = 1;
        return;
      }
      try {
        await withEngine({ dataDir, startSync: false, onDatabaseProblem: 'continue', sync: gameballSync() }, (engine) => {
          for (const n of engine.notices) process.stderr.write(`pos-companion: ${n.message}\n`);
          const reports = files.map((f) => engine.recoverFrom(f));
          if (flags.json) process.stdout.write(`${JSON.stringify(reports)}\n`);
          else for (const r of reports) process.stdout.write(`${[recoverySummary(r), ...unreadableLines(r)].join('\n')}\n`);
          if (reports.some((r) => !r.readable)) process.exitCode = 1;
          else if (reports.some((r) => r.unreadable.length > 0 || r.unreadableUnnamed > 0 || r.incomplete))
            process.exitCode = EXIT_DATABASE_DAMAGED;
        });
      } catch (err) {
        if (!(err instanceof CaptureRefusedError)) throw err;
        process.stderr.write(`pos-companion: refused: ${err.message}\n`);
        process.exitCode = EXIT_REFUSED;
      }
    });
}
