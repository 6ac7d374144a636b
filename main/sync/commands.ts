// `pos-companion sync [--until-empty] [--timeout SECONDS]`: posts what the till owes Gameball now,
// in the foreground (the desktop app does the same in the background).
//  - without --until-empty: one pass, every call that is due is tried once;
//  - with --until-empty: keeps going, with backoff, until nothing is left to send (needs-attention
//    orders wait for a person and do not count) or the timeout.
// stdout: a one-line summary. Exit 0: done; 3: timed out with calls still owed; 1: cannot sync
// (e.g. no keys). In training mode it posts training orders to the built-in simulator.
import type { Command } from 'commander';
import { Option } from 'commander';
import { resolveDataDir } from '../db/paths.ts';
import { createEngine } from '../engine.ts';
import { clockAdvice } from '../../preload/clock-advice.ts';
import { clockAdviceText, dataDirOption } from '../orders/commands.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import { gameballSync } from './wiring.ts';
import type { GameballSyncPart } from './wiring.ts';

export const EXIT_TIMED_OUT = 3;
const DEFAULT_TIMEOUT_S = 600;

interface SyncFlags {
  dataDir?: string;
  untilEmpty?: boolean;
  timeout: string;
}

function parseTimeout(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--timeout must be a positive number of seconds (got ${JSON.stringify(text)}).`);
  return Math.round(n * 1000);
}

/**
 * Why calls are still owed, for the summary: an error of this run first, then the failed
 * connection check of this run (a Gameball that never answers leaves the calls in flight at the
 * timeout, with no error of their own yet), and only then an older error, marked as such.
 */
function reasonOf(after: SyncStatus, runStartedAt: number, check: { ok: boolean; message: string }): string | null {
  const e = after.lastError;
  const tagged = e ? `${e.code ? `[${e.code}] ` : ''}${e.message}` : null;
  if (e && tagged && Date.parse(e.at) >= runStartedAt) return `Last error: ${tagged}`;
  if (!check.ok) return `Last error: ${check.message}`;
  return e && tagged ? `Last error (before this run, ${e.at}): ${tagged}` : null;
}

function summary(before: SyncStatus, after: SyncStatus, remaining: number, reason: string | null): string {
  const synced = after.counts.synced - before.counts.synced;
  const refunds = after.refundCounts.synced - before.refundCounts.synced;
  const attention = after.counts.attention + after.refundCounts.attention;
  const parts = [
    `Synced ${synced} order${synced === 1 ? '' : 's'} and ${refunds} refund${refunds === 1 ? '' : 's'}${after.training ? ' (training: built-in simulator)' : ''}.`,
    `${remaining} call${remaining === 1 ? '' : 's'} still owed, ${attention} need${attention === 1 ? 's' : ''} attention.`,
  ];
  if (remaining > 0 && reason) parts.push(reason);
  return parts.join(' ');
}

export function registerSyncCommands(program: Command): void {
  program
    .command('sync')
    .description('Post queued orders and refunds to Gameball now (training mode: to the built-in simulator)')
    .addOption(dataDirOption())
    .option('--until-empty', 'keep retrying (with backoff) until nothing is left to send')
    .addOption(new Option('--timeout <seconds>', 'give up after this many seconds').default(String(DEFAULT_TIMEOUT_S)))
    .action(async (flags: SyncFlags) => {
      const timeoutMs = parseTimeout(flags.timeout);
      let part: GameballSyncPart | undefined;
      const engine = await createEngine({
        dataDir: resolveDataDir({ flag: flags.dataDir }),
        startSync: false,
        sync: async (ctx) => (part = await gameballSync()(ctx)),
      });
      const stop = () => void engine.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        if (!part) throw new Error('The sync engine did not start.');
        const runStartedAt = Date.now();
        const before = part.status();
        const probe = await part.testConnection();
        if (!probe.ok && /not set|refused the keys/.test(probe.message)) {
          process.stderr.write(`pos-companion: ${probe.message}\n`);
          process.exitCode = 1;
          return;
        }
        const result = await part.drain({ untilEmpty: flags.untilEmpty === true, timeoutMs });
        part.engine.emitStatus();
        const after = part.status();
        process.stdout.write(`${summary(before, after, result.remaining, reasonOf(after, runStartedAt, probe))}\n`);
        const clock = clockAdvice(after);
        if (clock) process.stderr.write(`pos-companion: ${clockAdviceText(clock)}\n`);
        if (result.timedOut) process.exitCode = EXIT_TIMED_OUT;
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        await engine.close();
      }
    });
}
