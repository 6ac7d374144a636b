// Capture on a till whose disk is full: a small tmpfs filled to the brim. The cashier gets a refusal that names the folder (in the screen's
// language, through the reason code), the orders already saved stay as they were, and once space
// is back the same till saves again. Skipped (with the reason) only where a tmpfs cannot be mounted.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../../main/ipc/bridge.ts';
import type { CallerInfo } from '../../../main/ipc/handle.ts';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';
import { errorText } from '../../../renderer/state/error-text.ts';
import { ApiCallError } from '../../../renderer/state/api-context.tsx';
import { ar } from '../../../renderer/i18n/ar.ts';
import { en } from '../../../renderer/i18n/en.ts';
import { mountTmpfs, whyNoTmpfs } from '../../support/tmpfs.ts';
import type { Tmpfs } from '../../support/tmpfs.ts';

const noTmpfs = whyNoTmpfs();
if (noTmpfs) console.warn(`Capture on a full disk skipped: ${noTmpfs}`);

const OWN = 'app://pos-companion';
const page: CallerInfo = { url: `${OWN}/index.html`, isMainFrame: true };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal, and it was saved');
}

/** Every order in the file, read through a connection of its own. */
function ordersOnDisk(dataDir: string): Array<{ order_id: string; total_paid_minor: number }> {
  const db = new BetterSqlite3(join(dataDir, 'pos-companion.db'), { readonly: true });
  try {
    return db.prepare('SELECT order_id, total_paid_minor FROM orders ORDER BY created_at').all() as Array<{
      order_id: string;
      total_paid_minor: number;
    }>;
  } finally {
    db.close();
  }
}

/** A dictionary lookup with {{name}} filled in, as i18next does (without the isolates). */
function translate(dict: object) {
  return (key: string, options: Record<string, unknown> = {}) => {
    const [section, name] = key.split('.') as [string, string];
    const text = (dict as Record<string, Record<string, string>>)[section]?.[name] ?? key;
    return text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(options[k]));
  };
}

describe.skipIf(noTmpfs !== null)('capture when the data folder cannot take the write', () => {
  let disk: Tmpfs | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    disk?.unmount();
    disk = undefined;
  });

  it('disk full: a refusal naming the folder, earlier orders intact, and saving works again once space is freed', async () => {
    disk = mountTmpfs({ sizeKb: 1024 });
    const dataDir = join(disk.dir, 'data');
    engine = await createEngine({ dataDir, sync: noSync, secretCipher: null, env: {}, startSync: false });
    const before = [1, 2, 3].map((i) => engine!.captureOrder({ mobile: `+96650000120${i}`, totalPaidMinor: i * 1000 }));
    const refund = engine.captureRefund({ orderId: before[0]!.orderId, amountMinor: 500 });
    expect(disk.fill()).toBeGreaterThan(100 * 1024);

    const err = thrown(() => engine!.captureOrder({ mobile: '+966500001299', totalPaidMinor: 9900 }));
    expect(err).toBeInstanceOf(CaptureRefusedError);
    expect(err).toMatchObject({
      code: 'DISK_FULL',
      folder: dataDir,
      message: `The data folder ${dataDir} is full (no space left on the device): free some space on that disk; orders already saved are safe and nothing new was saved.`,
    });
    expect(thrown(() => engine!.captureRefund({ orderId: before[1]!.orderId }))).toMatchObject({ code: 'DISK_FULL', folder: dataDir });
    // Queue operations that write say the same.
    expect(thrown(() => engine!.discard(before[2]!.orderId, 'wrong customer'))).toMatchObject({ code: 'DISK_FULL', folder: dataDir });

    // The screen's door: the envelope carries the reason and the folder, and the screen says it in
    // the till's language.
    const bridge = createBridge({
      engine,
      trustedOrigins: [OWN],
      logger: silentLogger(),
      clock: { now: () => Date.now() },
      app: { name: 'POS Companion', version: 't', shell: 'electron', platform: 'linux' },
    });
    const res = await bridge.router.dispatch(
      'orders:capture',
      [{ customer: { mobile: '+966500001298' }, currency: 'SAR', totalPaidMinor: 1234 }],
      page,
    );
    bridge.close();
    expect(res).toEqual({ ok: false, error: { code: 'refused', reason: 'DISK_FULL', folder: dataDir, message: (err as Error).message } });
    if (res.ok) return;
    expect(errorText(translate(en), new ApiCallError(res.error))).toBe(
      `Not saved: the till’s disk is full (data folder ${dataDir}). Ask IT to free some space on that disk, then save again. Orders saved before are safe.`,
    );
    expect(errorText(translate(ar), new ApiCallError(res.error))).toContain(dataDir);
    expect(errorText(translate(ar), new ApiCallError(res.error))).toMatch(/^لم يُحفظ: قرص نقطة البيع ممتلئ/);

    // Nothing of the refused saves reached the file; what was saved before is all there.
    expect(ordersOnDisk(dataDir)).toEqual(before.map((o) => ({ order_id: o.orderId, total_paid_minor: o.totalPaidMinor })));
    expect(engine.getOrder(before[0]!.orderId)?.refunds.map((r) => r.refundId)).toEqual([refund.refundId]);

    disk.free();
    const after = engine.captureOrder({ mobile: '+966500001299', totalPaidMinor: 9900 });
    expect(ordersOnDisk(dataDir).map((o) => o.order_id)).toEqual([...before.map((o) => o.orderId), after.orderId]);
  }, 30_000);
});
