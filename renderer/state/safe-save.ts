// Saving across a dropped connection. A capture carries the screen's clientRef, so saving it again
// can never make a second order: the engine answers the order it already has (`replayed: true`).
// That makes every 'unavailable' answer safe to repeat, whether the call never left the page (no
// connection) or its answer was lost on the way back ("may or may not have been saved"). Promise:
// resolves with the first answer that is not 'unavailable' (the saved order, or a refusal for
// people); repeats only once the transport is open again, with a growing pause so an engine that
// is itself unavailable (starting, closing) is not called in a tight loop.
import type { Result } from '../../preload/api.ts';

export interface SafeSaveDeps {
  /** Resolves when the connection to the till app is open (at once when it is). */
  whenConnected(): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Told before each repeat (1, 2, ...), e.g. to say "connection lost, saving again". */
  onRetry?(attempt: number): void;
  /** First pause before a repeat (ms), doubled each time up to maxDelayMs. Default 250 and 5000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export async function saveSafely<T>(call: () => Promise<Result<T>>, deps: SafeSaveDeps): Promise<Result<T>> {
  const base = deps.baseDelayMs ?? 250;
  const max = deps.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt += 1) {
    const result = await call();
    if (result.ok || result.error.code !== 'unavailable') return result;
    deps.onRetry?.(attempt);
    await deps.whenConnected();
    await deps.sleep(Math.min(max, base * 2 ** (attempt - 1)));
  }
}

/** A fresh reference for one sale: a UUID (crypto.randomUUID where the page has it). */
export function newClientRef(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
