// A virtual HID POS scanner for browser mode's tests and demos: it looks like one Honeywell HID POS
// interface, and every time the capture file is written its reports arrive as if scanned (through
// the real scanner service, decoders and classification). Nothing listens on the network for it:
// whoever may write the file may scan, and that is already the till's own user.
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { parseCapture } from '../scanner/capture.ts';
import type { HidDeviceHandle, HidDeviceInfo, HidTransport } from '../scanner/transport.ts';

export interface ReplayTransportOptions {
  file: string;
  /** How often the file is checked for a new write (ms). Default 100. */
  pollMs?: number;
  /** Longest gap kept between two reports of one capture (ms). Default 20. */
  maxGapMs?: number;
}

export const REPLAY_DEVICE: HidDeviceInfo = {
  path: 'replay:hidpos',
  vendorId: 0x0c2e, // Honeywell
  productId: 0x0b61,
  product: 'Replayed HID POS scanner',
  manufacturer: 'POS Companion',
  usagePage: 0x8c,
  usage: 0x02,
  interface: 0,
};

export function createReplayHidTransport(opts: ReplayTransportOptions): HidTransport {
  const pollMs = opts.pollMs ?? 100;
  const maxGapMs = opts.maxGapMs ?? 20;
  return {
    list: async () => [REPLAY_DEVICE],
    async open(path: string): Promise<HidDeviceHandle> {
      if (path !== REPLAY_DEVICE.path) throw new Error('No such device.');
      const dataListeners = new Set<(report: Uint8Array) => void>();
      let closed = false;
      let playing: Promise<void> = Promise.resolve();

      const play = () => {
        let text: string;
        try {
          text = readFileSync(opts.file, 'utf8');
        } catch {
          return;
        }
        const { reports } = parseCapture(text);
        playing = playing.then(async () => {
          let prev: number | undefined;
          for (const r of reports) {
            if (closed) return;
            const gap = r.at !== undefined && prev !== undefined ? Math.min(maxGapMs, Math.max(0, r.at - prev)) : 0;
            prev = r.at ?? prev;
            if (gap > 0) await new Promise((res) => setTimeout(res, gap));
            for (const l of [...dataListeners]) l(r.bytes);
          }
        });
      };
      const onChange = (curr: Stats, prev: Stats) => {
        if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) {
          if (curr.nlink > 0 || curr.size > 0) play();
        }
      };
      watchFile(opts.file, { interval: pollMs, persistent: false }, onChange);

      return {
        on(event: 'data' | 'error', listener: ((report: Uint8Array) => void) | ((err: Error) => void)): void {
          // A replay never fails on its own: only 'data' listeners matter.
          if (event === 'data') dataListeners.add(listener as (report: Uint8Array) => void);
        },
        async close() {
          closed = true;
          unwatchFile(opts.file, onChange);
          dataListeners.clear();
        },
      };
    },
  };
}
