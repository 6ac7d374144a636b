// A virtual scanner for browser mode's tests and demos: every time the capture file is written its
// reports arrive as if scanned (through the real scanner service, decoders and classification).
// The capture says what kind of scanner recorded it: `# mode: hidpos|keyboard` and
// `# layout: honeywell|generic|aim-in-data` (without those lines, the same guesses as
// `pos-companion replay`: 8/9-byte reports are a keyboard, the layout is read from the first
// report). When a write needs another kind of scanner than the one attached, the virtual scanner
// re-enumerates as that kind, as a real one does after scanning an interface setting code:
// `onProfile` is told first (serve points the scanner service at the new device and layout), and
// the reports are played once the service has the new device open. Nothing listens on the
// network for it: whoever may write the file may scan, and that is already the till's own user.
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { parseCapture, type Capture } from '../scanner/capture.ts';
import { guessLayout, layoutByName } from '../scanner/hidpos-layouts.ts';
import { detectMode } from '../scanner/replay.ts';
import type { HidDeviceHandle, HidDeviceInfo, HidTransport } from '../scanner/transport.ts';

export interface ReplayProfile {
  mode: 'hidpos' | 'keyboard';
  /** HID POS layout name (main/scanner/hidpos-layouts.ts); kept as it was for keyboard captures. */
  layout: string;
}

export interface ReplayTransportOptions {
  file: string;
  /** How often the file is checked for a new write (ms). Default 100. */
  pollMs?: number;
  /** Longest gap kept between two reports of one capture (ms). Default 20. */
  maxGapMs?: number;
  /** The scanner re-enumerates as another kind: point the scanner service at it before it plays. */
  onProfile?: (profile: ReplayProfile) => unknown;
  /** How long a capture waits for its device to be opened before it is dropped (ms). Default 15000. */
  openTimeoutMs?: number;
}

export interface ReplayHidTransport extends HidTransport {
  /** The kind of scanner attached right now. */
  profile(): ReplayProfile;
}

export const DEFAULT_REPLAY_PROFILE: ReplayProfile = { mode: 'hidpos', layout: 'honeywell' };

/** The virtual scanner as each kind: a Honeywell HID POS interface, or its keyboard interface. */
export const REPLAY_DEVICES: Readonly<Record<ReplayProfile['mode'], HidDeviceInfo>> = Object.freeze({
  hidpos: {
    path: 'replay:hidpos',
    vendorId: 0x0c2e, // Honeywell
    productId: 0x0b61,
    product: 'Replayed HID POS scanner',
    manufacturer: 'POS Companion',
    usagePage: 0x8c,
    usage: 0x02,
    interface: 0,
  },
  keyboard: {
    path: 'replay:keyboard',
    vendorId: 0x0c2e,
    productId: 0x0b01,
    product: 'Replayed keyboard-mode scanner',
    manufacturer: 'POS Companion',
    usagePage: 0x01,
    usage: 0x06,
    interface: 0,
  },
});

/**
 * The scanner kind a capture asks for. A capture without reports (a comment, an empty file)
 * changes nothing; an unknown `# layout:` name falls back to the guess.
 */
export function replayProfileOf(capture: Capture, current: ReplayProfile = DEFAULT_REPLAY_PROFILE): ReplayProfile {
  if (capture.reports.length === 0 && capture.directives.mode === undefined && capture.directives.layout === undefined) return current;
  const mode = detectMode(capture);
  if (mode === 'keyboard') return { mode, layout: current.layout };
  const named = capture.directives.layout === undefined ? undefined : layoutByName(capture.directives.layout.toLowerCase());
  const first = capture.reports[0]?.bytes;
  const layout = named?.name ?? (first ? guessLayout(first).name : current.layout);
  return { mode, layout };
}

const sameProfile = (a: ReplayProfile, b: ReplayProfile) => a.mode === b.mode && a.layout === b.layout;

function readCapture(file: string): Capture | undefined {
  try {
    return parseCapture(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

interface OpenHandle {
  path: string;
  listeners: Set<(report: Uint8Array) => void>;
}

export function createReplayHidTransport(opts: ReplayTransportOptions): ReplayHidTransport {
  const pollMs = opts.pollMs ?? 100;
  const maxGapMs = opts.maxGapMs ?? 20;
  const openTimeoutMs = opts.openTimeoutMs ?? 15_000;
  const initial = readCapture(opts.file);
  let profile = initial ? replayProfileOf(initial) : DEFAULT_REPLAY_PROFILE;
  const handles = new Set<OpenHandle>();
  const readyWaiters = new Set<() => void>();
  let queue: Promise<void> = Promise.resolve();
  let watching = false;

  /** The handle the scanner service has open on the current device, with a data listener. */
  const readyHandle = (): OpenHandle | undefined =>
    [...handles].find((h) => h.path === REPLAY_DEVICES[profile.mode].path && h.listeners.size > 0);

  function whenReady(): Promise<OpenHandle | undefined> {
    const ready = readyHandle();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        readyWaiters.delete(done);
        unwatchWhenIdle();
        resolve(readyHandle());
      };
      const timer = setTimeout(done, openTimeoutMs);
      readyWaiters.add(done);
    });
  }

  async function playCapture(capture: Capture): Promise<void> {
    const next = replayProfileOf(capture, profile);
    if (!sameProfile(next, profile)) {
      profile = next;
      await opts.onProfile?.(next);
    }
    const target = await whenReady();
    if (!target) return;
    let prev: number | undefined;
    for (const r of capture.reports) {
      if (!handles.has(target)) return;
      const gap = r.at !== undefined && prev !== undefined ? Math.min(maxGapMs, Math.max(0, r.at - prev)) : 0;
      prev = r.at ?? prev;
      if (gap > 0) await new Promise((res) => setTimeout(res, gap));
      for (const l of [...target.listeners]) l(r.bytes);
    }
  }

  const onChange = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
    if (curr.nlink === 0 && curr.size === 0) return;
    const capture = readCapture(opts.file);
    if (!capture) return;
    // One capture at a time, in the order written.
    queue = queue.then(() => playCapture(capture)).catch(() => undefined);
  };

  // The file is watched while the device is open, or while a capture waits for it to reopen.
  function watch(): void {
    if (watching) return;
    watching = true;
    watchFile(opts.file, { interval: pollMs, persistent: false }, onChange);
  }
  function unwatchWhenIdle(): void {
    if (!watching || handles.size > 0 || readyWaiters.size > 0) return;
    unwatchFile(opts.file, onChange);
    watching = false;
  }

  return {
    profile: () => profile,
    list: async () => [REPLAY_DEVICES[profile.mode]],
    async open(path: string): Promise<HidDeviceHandle> {
      if (path !== REPLAY_DEVICES[profile.mode].path) throw new Error('No such device.');
      const h: OpenHandle = { path, listeners: new Set() };
      handles.add(h);
      watch();
      return {
        on(event: 'data' | 'error', listener: ((report: Uint8Array) => void) | ((err: Error) => void)): void {
          // A replay never fails on its own: only 'data' listeners matter.
          if (event !== 'data') return;
          h.listeners.add(listener as (report: Uint8Array) => void);
          for (const w of [...readyWaiters]) w();
        },
        async close() {
          handles.delete(h);
          h.listeners.clear();
          unwatchWhenIdle();
        },
      };
    },
  };
}
