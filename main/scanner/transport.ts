// The HID side effect behind one small interface, so the scanner service runs in plain Node
// tests against a fake. The real implementation (node-hid-transport.ts) is the only file that
// imports node-hid.

export interface HidDeviceInfo {
  /** OS path to open the interface with (`/dev/hidraw3`, `\\?\hid#...`, `DevSrvsID:...`). */
  path: string;
  vendorId: number;
  productId: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
  release?: number;
}

export interface HidDeviceHandle {
  /** One input report per call, report-id byte first when the device numbers its reports. */
  on(event: 'data', listener: (report: Uint8Array) => void): void;
  /** Read failures (unplugged, re-enumerated). After an error the handle is dead: close it. */
  on(event: 'error', listener: (err: Error) => void): void;
  close(): Promise<void>;
}

export interface HidTransport {
  /** Enumerates HID interfaces. Expensive on some systems: never call it in a tight loop. */
  list(): Promise<HidDeviceInfo[]>;
  /** Opens one interface. Rejects with the OS reason (busy, permission, owned by the OS). */
  open(path: string): Promise<HidDeviceHandle>;
  /**
   * Optional OS hint that devices may have changed (e.g. a new /dev/hidraw node on Linux). It
   * only says "look again soon"; the service still lists to find out what arrived.
   * Returns a function that stops watching.
   */
  watch?(onChange: () => void): () => void;
}
