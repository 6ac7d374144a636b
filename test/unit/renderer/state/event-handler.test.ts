import { describe, expect, it, vi } from 'vitest';
import { onEvent } from '../../../../renderer/state/event-handler.ts';

describe('onEvent', () => {
  it('passes the event on and returns nothing React could mistake for a result', async () => {
    const run = vi.fn(async (a: number, b: string) => `${a}${b}`);
    const handler = onEvent(run);
    expect(handler(1, 'x')).toBeUndefined();
    expect(run).toHaveBeenCalledWith(1, 'x');
  });

  it('reports a rejection instead of leaving it unhandled', async () => {
    const report = vi.fn();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      onEvent(async () => {
        throw new Error('boom');
      }, report)();
      await new Promise((r) => setTimeout(r, 20));
      expect(report).toHaveBeenCalledTimes(1);
      expect((report.mock.calls[0]![0] as Error).message).toBe('boom');
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('reports a handler that throws before returning its promise', () => {
    const report = vi.fn();
    onEvent((): Promise<void> => {
      throw new Error('sync');
    }, report)();
    expect(report).toHaveBeenCalledWith(expect.objectContaining({ message: 'sync' }));
  });

  it('a handler that succeeds reports nothing', async () => {
    const report = vi.fn();
    onEvent(async () => 1, report)();
    await new Promise((r) => setTimeout(r, 10));
    expect(report).not.toHaveBeenCalled();
  });
});
