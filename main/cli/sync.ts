// `pos-companion sync [--until-empty] [--timeout SECONDS]`: posts what the till owes Gameball now,
// in the foreground (the desktop app does the same in the background).
//  - without --until-empty: one pass, every call that is due is tried once;
//  - with --until-empty: keeps going, with backoff, until nothing is left to send (needs-attention
//    orders wait for a person and do not count) or the timeout.
// stdout: a one-line summary. Exit 0: done; 3: timed out with calls still owed; 1: cannot sync
// (e.g. no keys); 5: the data folder's disk is full; 4: the data folder cannot be written
// (read-only, missing, not a folder, no permission); 130/143: stopped by SIGINT/SIGTERM.
// In training mode it posts training orders to the built-in simulator.
//
// Stopping is always prompt: SIGINT/SIGTERM stop the sync at once (a request in flight is aborted
// and its row recorded as an unknown outcome, or, when the disk cannot take even that, left in
// flight for the next sync to confirm with Gameball), and whatever happens the process ends at
// most STOP_GRACE_MS after the timeout (counted, like the timeout, from the start, the connection
// check included) or the signal. A second signal ends it immediately.
import type { Command } from 'commander';
import { Option } from 'commander';
import { asDataFolderError, exitCodeFor } from '../data-folder.ts';
import { resolveDataDir } from '../db/paths.ts';
import { createEngine } from '../engine.ts';
import { clockAdvice } from '../../preload/clock-advice.ts';
import { clockAdviceText, dataDirOption } from './orders.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import { gameballSync } from '../sync/wiring.ts';
import type { GameballSyncPart } from '../sync/wiring.ts';

export const EXIT_TIMED_OUT = 3;
const DEFAULT_TIMEOUT_S = 600;
/** How long a stop (timeout or signal) may take before the process is ended regardless. */
export const STOP_GRACE_MS = 10_000;
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

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

/**
 * Ends the process with `code` if it is still running `afterMs` from now (unref'd: it never keeps
 * the process alive by itself). The last resort behind a stop that should already have happened.
 */
function exitIfStillRunning(afterMs: number, code: number, why: string): NodeJS.Timeout {
  const timer = setTimeout(() => {
    process.stderr.write(`pos-companion: ${why}\n`);
    process.exit(code);
  }, afterMs);
  timer.unref();
  return timer;
}

export function registerSyncCommands(program: Command): void {
  program
    .command('sync')
    .description('Post queued orders and refunds to Gameball now (training mode: to the built-in simulator)')
    .addOption(dataDirOption())
    .option('--until-empty', 'keep retrying (with backoff) until nothing is left to send')
    .addOption(new Option('--timeout <seconds>', 'give up after this many seconds').default(String(DEFAULT_TIMEOUT_S)))
    .action(async (flags: SyncFlags) => {
      const dataDir = resolveDataDir({ flag: flags.dataDir });
      try {
        await runSync(flags, dataDir);
      } catch (err) {
        throw asDataFolderError(err, dataDir, 'sync') ?? err;
      }
    });
}

async function runSync(flags: SyncFlags, dataDir: string): Promise<void> {
  const timeoutMs = parseTimeout(flags.timeout);
  let part: GameballSyncPart | undefined;
  const engine = await createEngine({
    dataDir,
    startSync: false,
    sync: async (ctx) => (part = await gameballSync()(ctx)),
  });
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const interruption = new AbortController();
  const watchdogs: NodeJS.Timeout[] = [];
  const stop = (signal: 'SIGINT' | 'SIGTERM') => {
    interrupted ??= signal;
    interruption.abort();
    // Stops posting and waits for nothing: the summary below still reads the open database,
    // and the finally block closes it.
    void part?.engine.stop();
    watchdogs.push(
      exitIfStillRunning(
        STOP_GRACE_MS,
        SIGNAL_EXIT[signal],
        `the sync did not stop within ${STOP_GRACE_MS / 1000} s of ${signal}; ending now. The next sync confirms with Gameball whatever was in flight.`,
      ),
    );
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  // The timeout bounds the whole run, the connection check included: at the deadline the sync
  // stops like on a signal (a request in flight is aborted and settled as an unknown outcome).
  const deadline = new AbortController();
  const startedAt = Date.now();
  watchdogs.push(
    setTimeout(() => {
      deadline.abort();
      void part?.engine.stop();
    }, timeoutMs),
    exitIfStillRunning(
      timeoutMs + STOP_GRACE_MS,
      EXIT_TIMED_OUT,
      `the sync did not stop within ${STOP_GRACE_MS / 1000} s of its timeout; ending now. The next sync confirms with Gameball whatever was in flight.`,
    ),
  );
  try {
    if (!part) throw new Error('The sync engine did not start.');
    const runStartedAt = Date.now();
    const before = part.status();
    // The check gets at most half the time, so the sending still tries (and records what it met).
    // A controller and a timer of our own, not AbortSignal.timeout: Node 20 lets a garbage
    // collection take a timeout signal that only AbortSignal.any refers to, and then it never fires
    // (the check ran to the deadline, and the built CLI, collecting earlier, always lost it).
    const checkLimit = new AbortController();
    const checkTimer = setTimeout(() => checkLimit.abort(), Math.ceil(timeoutMs / 2));
    let probe: { ok: boolean; message: string };
    try {
      probe = await part.testConnection(AbortSignal.any([interruption.signal, deadline.signal, checkLimit.signal]));
    } finally {
      clearTimeout(checkTimer);
    }
    if (!interrupted && !probe.ok && /not set|refused the keys/.test(probe.message)) {
      process.stderr.write(`pos-companion: ${probe.message}\n`);
      process.exitCode = 1;
      return;
    }
    const leftMs = timeoutMs - (Date.now() - startedAt);
    const result = interrupted
      ? { remaining: part.engine.owed(), timedOut: false }
      : deadline.signal.aborted || leftMs <= 0
        ? { remaining: part.engine.owed(), timedOut: true }
        : await part.drain({ untilEmpty: flags.untilEmpty === true, timeoutMs: leftMs });
    const timedOut = result.timedOut || (deadline.signal.aborted && !interrupted && result.remaining > 0);
    part.engine.emitStatus();
    const after = part.status();
    process.stdout.write(`${summary(before, after, result.remaining, reasonOf(after, runStartedAt, probe))}\n`);
    const clock = clockAdvice(after);
    if (clock) process.stderr.write(`pos-companion: ${clockAdviceText(clock)}\n`);
    const storage = part.engine.storageProblem();
    if (storage) {
      process.stderr.write(`pos-companion: ${storage.message}\n`);
      process.exitCode = exitCodeFor(storage.problem);
    } else if (interrupted) process.exitCode = SIGNAL_EXIT[interrupted];
    else if (timedOut) process.exitCode = EXIT_TIMED_OUT;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
    await engine.close();
    // Closed in time: the process ends by itself; the watchdogs must not outlive it in a test harness.
    for (const w of watchdogs) clearTimeout(w);
  }
}
