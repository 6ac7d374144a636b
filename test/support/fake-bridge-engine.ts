// A stand-in for the engine behind the bridge, for tests of the transports (IPC adapter, browser
// mode). Only what a test configures works: any other call throws, so a fake never quietly
// succeeds where the real engine would have done something.
import { defaultSettings, type Settings } from '../../main/config/settings.ts';
import type { BridgeEngine } from '../../main/ipc/bridge.ts';
import type { SyncStatus } from '../../main/orders/schemas.ts';

export interface FakeEngine extends BridgeEngine {
  /** Pushes a status to whoever listens (the bridge). */
  pushStatus(status: SyncStatus): void;
  listenerCount(): number;
}

/** A fresh till's settings, as the engine shows them (no keys, no store PIN). */
export const SAMPLE_SETTINGS: Settings = {
  ...defaultSettings('till-fake'),
  keys: { apiKeySet: false, secretKeySet: false },
  storePinSet: false,
};

export const SAMPLE_STATUS: SyncStatus = {
  counts: { pending: 1, sending: 0, synced: 3, attention: 0, discarded: 0 },
  refundCounts: { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 },
  oldestPendingAgeMs: 2000,
  lastSuccessAt: '2025-01-01T00:00:00.000Z',
  lastError: null,
  online: true,
  training: true,
};

export function fakeEngine(overrides: Partial<BridgeEngine> = {}, dataDir = '/tmp/fake'): FakeEngine {
  const listeners = new Set<(s: SyncStatus) => void>();
  const notConfigured = (name: string) => () => {
    throw new Error(`fake engine: ${name} not configured`);
  };
  const base: BridgeEngine = {
    training: true,
    dataDir,
    notices: [],
    captureOrder: notConfigured('captureOrder'),
    findReceipt: notConfigured('findReceipt'),
    captureRefund: notConfigured('captureRefund'),
    checkReferral: notConfigured('checkReferral'),
    listOrders: notConfigured('listOrders'),
    getOrder: notConfigured('getOrder'),
    retry: notConfigured('retry'),
    editAndResend: notConfigured('editAndResend'),
    discard: notConfigured('discard'),
    exportOrders: notConfigured('exportOrders'),
    status: () => SAMPLE_STATUS,
    getSettings: notConfigured('getSettings'),
    updateSettings: notConfigured('updateSettings'),
    setKeys: notConfigured('setKeys'),
    storePin: {
      isSet: notConfigured('storePin.isSet'),
      verify: notConfigured('storePin.verify'),
      change: notConfigured('storePin.change'),
    },
    testConnection: notConfigured('testConnection'),
    loyalty: {
      customer: notConfigured('loyalty.customer'),
      lockCoupon: notConfigured('loyalty.lockCoupon'),
      unlockCoupon: notConfigured('loyalty.unlockCoupon'),
      preview: notConfigured('loyalty.preview'),
    },
    points: {
      availability: notConfigured('points.availability'),
      hold: notConfigured('points.hold'),
      release: notConfigured('points.release'),
      holdAgain: notConfigured('points.holdAgain'),
      sendWithoutRedemption: notConfigured('points.sendWithoutRedemption'),
    },
    // A fake's mode never changes, so it is always settled.
    whenModeSettled: () => Promise.resolve(),
    syncNow: notConfigured('syncNow'),
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return Object.assign(base, overrides, {
    pushStatus(status: SyncStatus) {
      for (const l of listeners) l(status);
    },
    listenerCount: () => listeners.size,
  });
}

export const testLogger = () => {
  const lines: Array<{ level: string; fields: object; msg: string }> = [];
  return {
    lines,
    info: (fields: object, msg: string) => lines.push({ level: 'info', fields, msg }),
    warn: (fields: object, msg: string) => lines.push({ level: 'warn', fields, msg }),
    error: (fields: object, msg: string) => lines.push({ level: 'error', fields, msg }),
  };
};
