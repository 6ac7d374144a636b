// The refusal log keeps a flood of refused requests from growing the log without bound: the first
// lines of each minute as they are, then one summary line with the count. Time is stepped by hand.
import { describe, expect, it } from 'vitest';
import { createRefusalLog, SUMMARY_MESSAGE } from '../../../main/web/refusal-log.ts';

function setup(perWindow = 3, windowMs = 60_000) {
  let now = 1_000_000;
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const timers: Array<{ fn: () => void; at: number; cancelled: boolean }> = [];
  const log = createRefusalLog({
    logger: { warn: (fields, msg) => lines.push({ fields: fields as Record<string, unknown>, msg }) },
    clock: { now: () => now },
    perWindow,
    windowMs,
    setTimer: (fn, ms) => {
      const t = { fn, at: now + ms, cancelled: false };
      timers.push(t);
      return () => {
        t.cancelled = true;
      };
    },
  });
  return {
    log,
    lines,
    advance(ms: number) {
      now += ms;
      for (const t of timers.splice(0)) {
        if (t.cancelled) continue;
        if (t.at <= now) t.fn();
        else timers.push(t);
      }
    },
    /** Moves the clock without running timers (a busy event loop). */
    stepClock(ms: number) {
      now += ms;
    },
    pendingTimers: () => timers.filter((t) => !t.cancelled).length,
  };
}

const summaries = <L extends { msg: string }>(lines: L[]) => lines.filter((l) => l.msg.endsWith(SUMMARY_MESSAGE));

describe('createRefusalLog', () => {
  it('logs the first N refusals of a window as they are and counts the rest', () => {
    const { log, lines } = setup(3);
    for (let i = 0; i < 5_000; i += 1) log.refused({ host: `evil-${i}.example` }, 'request with a foreign Host header refused');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.fields.host)).toEqual(['evil-0.example', 'evil-1.example', 'evil-2.example']);
    log.flush();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toEqual({ fields: { count: 4_997, windowMs: 60_000 }, msg: `4997 ${SUMMARY_MESSAGE}` });
  });

  it('writes the summary when the window ends, even when no refusal follows', () => {
    const { log, lines, advance } = setup(2);
    for (let i = 0; i < 10; i += 1) log.refused({}, 'refused');
    advance(59_999);
    expect(summaries(lines)).toHaveLength(0);
    advance(1);
    expect(summaries(lines)).toEqual([{ fields: { count: 8, windowMs: 60_000 }, msg: `8 ${SUMMARY_MESSAGE}` }]);
    // A new window: the first refusals are logged one by one again.
    log.refused({ n: 'next' }, 'refused');
    expect(lines.at(-1)).toEqual({ fields: { n: 'next' }, msg: 'refused' });
  });

  it('a refusal after the window ended writes the summary first, even before the timer has run', () => {
    const { log, lines, stepClock } = setup(1, 1_000);
    log.refused({ n: 1 }, 'refused');
    log.refused({ n: 2 }, 'refused');
    log.refused({ n: 3 }, 'refused');
    stepClock(500);
    log.refused({ n: 4 }, 'refused');
    expect(lines).toHaveLength(1); // still the first window: counted
    // The clock passes the window's end but a busy event loop has not run the timer yet.
    stepClock(600);
    log.refused({ n: 5 }, 'refused');
    expect(lines).toEqual([
      { fields: { n: 1 }, msg: 'refused' },
      { fields: { count: 3, windowMs: 1_000 }, msg: `3 ${SUMMARY_MESSAGE}` },
      { fields: { n: 5 }, msg: 'refused' },
    ]);
  });

  it('a quiet server writes nothing, and flush with nothing suppressed writes nothing', () => {
    const { log, lines, pendingTimers } = setup(3);
    log.flush();
    log.refused({}, 'refused');
    log.refused({}, 'refused');
    log.flush();
    expect(lines).toHaveLength(2);
    expect(pendingTimers()).toBe(0);
  });

  it('bounds the lines per minute under a steady flood, hour after hour', () => {
    const { log, lines, advance } = setup(20);
    // 100 refusals a second for an hour.
    for (let s = 0; s < 3_600; s += 1) {
      for (let i = 0; i < 100; i += 1) log.refused({ host: 'evil.example' }, 'request with a foreign Host header refused');
      advance(1_000);
    }
    log.flush();
    // 60 windows: 20 lines and one summary each.
    expect(lines.length).toBe(60 * 21);
    const counted = summaries(lines).reduce((sum, l) => sum + Number(l.fields.count), 0);
    expect(counted + lines.length - summaries(lines).length).toBe(360_000);
  });
});
