// A fake HID transport and a manual clock for the scanner service tests. Unconfigured use
// throws (opening a path nobody plugged in fails like the OS would).
import type { Clock } from '../../../main/clock.ts';
import type { ScannerTimers } from '../../../main/scanner/service.ts';
import type { HidDeviceHandle, HidDeviceInfo, HidTransport } from '../../../main/scanner/transport.ts';

export class FakeHandle implements HidDeviceHandle {
  closed = false;
  private data: Array<(r: Uint8Array) => void> = [];
  private errors: Array<(e: Error) => void> = [];
  constructor(readonly path: string) {}
  on(event: 'data' | 'error', listener: ((r: Uint8Array) => void) | ((e: Error) => void)): void {
    if (event === 'data') this.data.push(listener as (r: Uint8Array) => void);
    else this.errors.push(listener as (e: Error) => void);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  send(report: Uint8Array): void {
    if (this.closed) throw new Error('fake: send on a closed handle');
    for (const l of this.data) l(report);
  }
  fail(err: Error): void {
    for (const l of this.errors) l(err);
  }
}

export class FakeHid implements HidTransport {
  devices: HidDeviceInfo[] = [];
  listCalls = 0;
  opened: FakeHandle[] = [];
  /** Errors the next open() of a path rejects with (consumed in order). */
  openErrors = new Map<string, Error[]>();
  hint: (() => void) | undefined;

  async list(): Promise<HidDeviceInfo[]> {
    this.listCalls += 1;
    return this.devices.map((d) => ({ ...d }));
  }
  async open(path: string): Promise<HidDeviceHandle> {
    const queued = this.openErrors.get(path);
    if (queued && queued.length > 0) throw queued.shift()!;
    if (!this.devices.some((d) => d.path === path)) throw new Error(`could not open device ${path}`);
    const h = new FakeHandle(path);
    this.opened.push(h);
    return h;
  }
  watch(onChange: () => void): () => void {
    this.hint = onChange;
    return () => {
      this.hint = undefined;
    };
  }
  get current(): FakeHandle | undefined {
    return this.opened.filter((h) => !h.closed).at(-1);
  }
}

/** Timers and clock that move only when the test says so. */
export class ManualTime implements ScannerTimers, Clock {
  private t = 0;
  private seq = 0;
  private queue: Array<{ id: number; at: number; fn: () => void }> = [];
  readonly delays: number[] = [];

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.queue.push({ id: this.seq, at: this.t + ms, fn });
    this.delays.push(ms);
    return this.seq;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((q) => q.id !== handle);
  }
  get pending(): number {
    return this.queue.length;
  }
  /** Moves time forward, firing due timers in order and letting async work settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((r) => setImmediate(r));
}
