// Log lines for refused requests (foreign Host, refused WebSocket upgrade), rate-limited so a
// hostile scan or a rebinding page that sends thousands of requests cannot fill the disk.
// Contract:
//   - in every window (default one minute, starting at the first refusal) the first `perWindow`
//     refusals are logged as they are, with their fields;
//   - further refusals in that window are only counted; the count is logged as one line
//     ("N more refused requests were not logged one by one") when the window ends: at the
//     window's timer, at the next refusal after it, or at flush(), whichever comes first;
//   - nothing is lost from the count, and a quiet server writes nothing.
// Clock and timer are passed in so a test can step time.
import type { Clock } from '../clock.ts';

export interface RefusalLogger {
  warn(fields: object, msg: string): void;
}

export interface RefusalLogOptions {
  logger: RefusalLogger;
  clock: Clock;
  /** Refusals logged one by one per window. Default 20. */
  perWindow?: number;
  /** Default 60,000 ms. */
  windowMs?: number;
  /** Schedules the end-of-window summary; returns a cancel function. Default: an unref'd setTimeout. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

export interface RefusalLog {
  refused(fields: object, msg: string): void;
  /** Logs the count of refusals not yet reported (call on close). */
  flush(): void;
}

export const SUMMARY_MESSAGE = 'more refused requests were not logged one by one';

function defaultTimer(fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
}

export function createRefusalLog(opts: RefusalLogOptions): RefusalLog {
  const perWindow = opts.perWindow ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const setTimer = opts.setTimer ?? defaultTimer;
  let windowStart: number | undefined;
  let logged = 0;
  let suppressed = 0;
  let cancelTimer: (() => void) | undefined;

  function flush(): void {
    cancelTimer?.();
    cancelTimer = undefined;
    if (suppressed > 0) {
      opts.logger.warn({ count: suppressed, windowMs }, `${suppressed} ${SUMMARY_MESSAGE}`);
    }
    suppressed = 0;
    logged = 0;
    windowStart = undefined;
  }

  return {
    refused(fields, msg) {
      const now = opts.clock.now();
      if (windowStart !== undefined && now - windowStart >= windowMs) flush();
      windowStart ??= now;
      if (logged < perWindow) {
        logged += 1;
        opts.logger.warn(fields, msg);
        return;
      }
      suppressed += 1;
      // The summary is due when the window ends, even if no refusal follows.
      cancelTimer ??= setTimer(flush, Math.max(0, windowStart + windowMs - now));
    },
    flush,
  };
}
