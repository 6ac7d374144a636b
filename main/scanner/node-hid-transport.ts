// The real HID transport: node-hid's HIDAsync (reads on a worker thread, never blocks the main
// loop). node-hid is not thread-safe, so this is the only file that imports it and the engine
// creates one transport for the whole process.
import { watch } from 'node:fs';
import HID from 'node-hid';
import type { HidDeviceHandle, HidDeviceInfo, HidTransport } from './transport.ts';

export interface NodeHidTransportOptions {
  /** OS name; Linux gets an arrival hint from /dev (new hidraw nodes). */
  platform?: string;
  /** Extra arrival hints from the shell (e.g. a device-change message on Windows). */
  hints?: (onChange: () => void) => () => void;
}

export function createNodeHidTransport(opts: NodeHidTransportOptions = {}): HidTransport {
  const platform = opts.platform ?? process.platform;
  return {
    async list(): Promise<HidDeviceInfo[]> {
      const found = await HID.devicesAsync();
      const out: HidDeviceInfo[] = [];
      for (const d of found) {
        if (!d.path) continue; // cannot be opened without a path
        const info: HidDeviceInfo = {
          path: d.path,
          vendorId: d.vendorId,
          productId: d.productId,
          interface: d.interface,
          release: d.release,
        };
        if (d.product) info.product = d.product;
        if (d.manufacturer) info.manufacturer = d.manufacturer;
        if (d.serialNumber) info.serialNumber = d.serialNumber;
        if (d.usagePage !== undefined) info.usagePage = d.usagePage;
        if (d.usage !== undefined) info.usage = d.usage;
        out.push(info);
      }
      return out;
    },

    async open(path: string): Promise<HidDeviceHandle> {
      const device = await HID.HIDAsync.open(path);
      let closed = false;
      return {
        on(event: 'data' | 'error', listener: ((report: Uint8Array) => void) | ((err: Error) => void)): void {
          device.on(event, listener as (...args: unknown[]) => void);
        },
        async close(): Promise<void> {
          if (closed) return;
          closed = true;
          device.removeAllListeners('data');
          await device.close();
        },
      } as HidDeviceHandle;
    },

    watch(onChange: () => void): () => void {
      const stops: Array<() => void> = [];
      if (platform === 'linux') {
        try {
          const w = watch('/dev', { persistent: false }, (_event, name) => {
            if (typeof name === 'string' && name.startsWith('hidraw')) onChange();
          });
          w.on('error', () => w.close());
          stops.push(() => w.close());
        } catch {
          // No /dev to watch (containers): the slow poll still finds devices.
        }
      }
      if (opts.hints) stops.push(opts.hints(onChange));
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}
