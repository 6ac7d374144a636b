// The admin CLI: `npx pos-companion <command>`. Each capability contributes its commands from
// its own folder; this file only assembles them and turns thrown errors into exit codes:
//   0 done; 1 failed; 2 input refused (nothing written); 3 `sync` timed out with calls still owed;
//   4 the data folder cannot be used (read-only, missing, not a folder, permission denied);
//   5 the data folder's disk is full; 6 the database was damaged or is incomplete (stderr says what
//   was done and what to do); 130/143 `sync` stopped by SIGINT/SIGTERM.
// A data-folder problem is one line naming the folder and what to do, never a stack trace.
import { Command, CommanderError } from 'commander';
import { DataFolderError } from './data-folder.ts';
import { restrictNewFiles } from './config/private-files.ts';
// Command modules (one per capability) register themselves here.
import { registerSimulatorCommands } from './cli/simulator.ts';
import { registerScannerCommands } from './cli/scanner.ts';
import { registerOrderCommands } from './cli/orders.ts';
import { registerConfigCommands } from './cli/config.ts';
import { registerWebCommands } from './cli/web.ts';
import { registerSyncCommands } from './cli/sync.ts';
import { registerDatabaseCommands, reportDatabaseDamage } from './cli/db.ts';
import { registerMetricsCommands } from './cli/metrics.ts';
import { registerApiCommands } from './cli/api.ts';

export function buildProgram(): Command {
  const program = new Command('pos-companion')
    .description('POS Companion: loyalty orders and referrals at the till, synced to Gameball.')
    .showHelpAfterError()
    .exitOverride();
  registerSimulatorCommands(program);
  registerScannerCommands(program);
  registerOrderCommands(program);
  registerConfigCommands(program);
  registerWebCommands(program);
  registerSyncCommands(program);
  registerDatabaseCommands(program);
  registerMetricsCommands(program);
  registerApiCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // Everything a command writes (database, log, ledger, exports' temp files) is private to this user.
  restrictNewFiles();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof DataFolderError) {
      process.stderr.write(`pos-companion: ${err.message}\n`);
      return err.exitCode;
    }
    const damaged = reportDatabaseDamage(err);
    if (damaged !== null) return damaged;
    process.stderr.write(`pos-companion: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /(?:cli\.ts|pos-companion(?:\.mjs)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
