// Which engine errors reach the screen with their own message: a damaged database must, as
// "unavailable" with its sentence (what happened, what to do); SQLite's bare error must not.
import { describe, expect, it } from 'vitest';
import { SecretsUnavailableError } from '../../../main/config/secrets.ts';
import { SettingsError } from '../../../main/config/settings.ts';
import { StorePinError } from '../../../main/config/store-pin.ts';
import { DataFolderError } from '../../../main/data-folder.ts';
import { DatabaseDamagedError } from '../../../main/db/database.ts';
import { createBridge, mapEngineError, REASON_CODES } from '../../../main/ipc/bridge.ts';
import type { CallerInfo } from '../../../main/ipc/handle.ts';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';
import { ReceiptCapturedError } from '../../../main/orders/receipt-keys.ts';
import { NOT_FIRST_PURCHASE_MESSAGE, SELF_REFERRAL_MESSAGE } from '../../../main/orders/order-store.ts';
import { REFUSAL_REASONS } from '../../../preload/api.ts';
import type { ErrorCode, RefusalReason } from '../../../preload/api.ts';
import { fakeEngine } from '../../support/fake-bridge-engine.ts';

const OWN = 'app://pos-companion';
const page: CallerInfo = { url: `${OWN}/index.html`, isMainFrame: true };

describe('mapEngineError', () => {
  it('a damaged database reaches the screen as unavailable, with its sentence', () => {
    const err = new DatabaseDamagedError(
      "The till's database is damaged (saving an order failed: database disk image is malformed). Close it and open it again.",
    );
    expect(mapEngineError(err)).toEqual({ code: 'unavailable', message: err.message, reason: 'DB_DAMAGED' });
  });

  it('a receipt captured already reaches the screen with the order it was captured as', () => {
    const err = new ReceiptCapturedError('till-1-abc');
    expect(mapEngineError(err)).toEqual({
      code: 'refused',
      message: err.message,
      field: 'receiptKey',
      reason: 'RECEIPT_ALREADY_CAPTURED',
      orderId: 'till-1-abc',
    });
  });

  it("SQLite's own corruption error is not passed through (it becomes 'internal', details to the log)", () => {
    const raw = Object.assign(new Error('database disk image is malformed'), { name: 'SqliteError', code: 'SQLITE_CORRUPT' });
    expect(mapEngineError(raw)).toBeUndefined();
  });
});

// Reasons cross the bridge, and each has one envelope code, from one table.
describe('refusal reasons', () => {
  /** A refusal class like the engine's: a name of its own and a code. */
  class EngineRefusal extends Error {
    override name = 'EngineRefusal';
    constructor(
      readonly code: string,
      message = 'A sentence for people.',
    ) {
      super(message);
    }
  }

  // The answers the screen acts on differently; every other reason is plain 'refused'.
  const NOT_REFUSED: Partial<Record<RefusalReason, ErrorCode>> = {
    INVALID_INPUT: 'invalid-request',
    INVALID_SETTING: 'invalid-request',
    INVALID_PIN: 'invalid-request',
    ORDER_NOT_FOUND: 'not-found',
    ORDER_DISCARDED: 'wrong-state',
    NOT_IN_ATTENTION: 'wrong-state',
    ORDER_IN_FLIGHT: 'wrong-state',
    ALREADY_SYNCED: 'wrong-state',
    DB_DAMAGED: 'unavailable',
    PIN_REQUIRED: 'pin-required',
    PIN_WRONG: 'pin-wrong',
    PIN_LOCKED: 'pin-locked',
  };

  it.each(REFUSAL_REASONS.map((r) => [r, NOT_REFUSED[r] ?? 'refused'] as const))('%s is answered %s, with the reason', (reason, code) => {
    expect(REASON_CODES[reason]).toBe(code);
    expect(mapEngineError(new EngineRefusal(reason))).toEqual({ code, message: 'A sentence for people.', reason });
  });

  it("the engine's own classes carry their reason, field and folder", () => {
    expect(mapEngineError(new CaptureRefusedError('SELF_REFERRAL', SELF_REFERRAL_MESSAGE, 'referrerCode'))).toEqual({
      code: 'refused',
      message: SELF_REFERRAL_MESSAGE,
      field: 'referrerCode',
      reason: 'SELF_REFERRAL',
    });
    expect(
      mapEngineError(new CaptureRefusedError('REFERRAL_NOT_FIRST_PURCHASE', NOT_FIRST_PURCHASE_MESSAGE, 'referrerCode')),
    ).toMatchObject({ code: 'refused', reason: 'REFERRAL_NOT_FIRST_PURCHASE' });
    expect(mapEngineError(new StorePinError('PIN_WRONG', 'That is not the store PIN.', 'pin'))).toEqual({
      code: 'pin-wrong',
      message: 'That is not the store PIN.',
      field: 'pin',
      reason: 'PIN_WRONG',
    });
    expect(mapEngineError(new SettingsError('tillId: too long.', 'tillId'))).toEqual({
      code: 'invalid-request',
      message: 'tillId: too long.',
      field: 'tillId',
      reason: 'INVALID_SETTING',
    });
    expect(mapEngineError(new SecretsUnavailableError('no key store'))).toMatchObject({ code: 'refused', reason: 'SECRETS_UNAVAILABLE' });
    const folderError = new DataFolderError('read-only', '/srv/till', 'save');
    expect(mapEngineError(folderError)).toEqual({
      code: 'refused',
      message: folderError.message,
      reason: 'DATA_FOLDER_READ_ONLY',
      folder: '/srv/till',
    });
  });

  it('a code outside the contract is a bug: not mapped (so internal), and said so, with the code', () => {
    const unknown: Array<{ code: string; name: string }> = [];
    const onUnknown = (code: string, err: Error) => unknown.push({ code, name: err.name });
    // The old guess made any *_NOT_FOUND 'not-found' and anything else 'refused'.
    expect(mapEngineError(new EngineRefusal('LINE_ITEM_NOT_FOUND'), onUnknown)).toBeUndefined();
    expect(mapEngineError(new EngineRefusal('SECRET_INPUT'), onUnknown)).toBeUndefined();
    expect(unknown).toEqual([
      { code: 'LINE_ITEM_NOT_FOUND', name: 'EngineRefusal' },
      { code: 'SECRET_INPUT', name: 'EngineRefusal' },
    ]);
    // System and plain errors are not bugs of the list: not mapped, and not reported as such.
    expect(mapEngineError(Object.assign(new Error('disk'), { code: 'ENOSPC' }), onUnknown)).toBeUndefined();
    expect(mapEngineError(Object.assign(new Error('x'), { code: 'SOMETHING' }), onUnknown)).toBeUndefined();
    expect(unknown).toHaveLength(2);
  });

  it("through the bridge: a known reason reaches the screen; an unknown code answers 'internal' and is logged", async () => {
    const logs: Array<{ level: string; fields: object; msg: string }> = [];
    const logger = {
      warn: (fields: object, msg: string) => logs.push({ level: 'warn', fields, msg }),
      error: (fields: object, msg: string) => logs.push({ level: 'error', fields, msg }),
    };
    let next: Error = new CaptureRefusedError('ORDER_IN_FLIGHT', 'Being sent right now.', 'orderId');
    const bridge = createBridge({
      engine: fakeEngine({
        retry: () => {
          throw next;
        },
      }),
      trustedOrigins: [OWN],
      logger,
      clock: { now: () => 0 },
      app: { name: 'POS Companion', version: 't', shell: 'electron', platform: 'linux' },
    });
    try {
      expect(await bridge.router.dispatch('orders:retry', [{ all: true }], page)).toEqual({
        ok: false,
        error: { code: 'wrong-state', message: 'Being sent right now.', field: 'orderId', reason: 'ORDER_IN_FLIGHT' },
      });
      expect(logs).toEqual([]);

      next = new EngineRefusal('ORDER_LOCKED', 'An internal detail.');
      const res = await bridge.router.dispatch('orders:retry', [{ all: true }], page);
      expect(res.ok).toBe(false);
      if (res.ok) return;
      expect(res.error.code).toBe('internal');
      expect(res.error.reason).toBeUndefined();
      expect(res.error.message).not.toContain('An internal detail.');
      expect(
        logs.some((l) => l.level === 'error' && (l.fields as { code?: string }).code === 'ORDER_LOCKED' && /REFUSAL_REASONS/.test(l.msg)),
      ).toBe(true);
    } finally {
      bridge.close();
    }
  });
});
