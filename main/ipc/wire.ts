// Translation between the contract's wire shapes (preload/api.ts) and the engine's own shapes
// (main/orders/schemas.ts, main/config/settings.ts). The contract carries money as integer minor
// units and groups the customer and the scanner settings; the engine takes decimal text and flat
// fields. Each function is pure; a test (test/unit/ipc/contract-compat.test.ts) runs the engine's
// schemas over their output so the two sides cannot drift apart unnoticed.
import type {
  OrderCaptureRequest,
  OrderPatch,
  RequestOf,
  Settings as WireSettings,
  SettingsPatch as WireSettingsPatch,
  SyncStatus as WireSyncStatus,
} from '../../preload/api.ts';
import { formatMinor, MoneyError, toMinorUnits } from '../orders/money.ts';
import { PosError } from './handle.ts';

type Obj = Record<string, unknown>;

function money(minor: number, currency: string, field: string): string {
  try {
    return formatMinor(minor, currency);
  } catch (err) {
    if (err instanceof MoneyError) throw new PosError('refused', err.message, field);
    throw err;
  }
}

/** Drops keys whose value is undefined (the engine's strict schemas treat absent and undefined alike, but logs stay tidy). */
function defined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Contract capture request -> engine OrderInput (decimal text in the order's currency). */
export function toEngineOrderInput(req: RequestOf<'orders:capture'> | OrderCaptureRequest): Obj {
  const c = req.currency;
  const opt = (minor: number | undefined, field: string) => (minor === undefined ? undefined : money(minor, c, field));
  return defined({
    mobile: req.customer.mobile,
    customerId: req.customer.customerId,
    name: req.customer.name,
    email: req.customer.email,
    currency: c,
    totalPaid: money(req.totalPaidMinor, c, 'totalPaidMinor'),
    totalPrice: opt(req.totalPriceMinor, 'totalPriceMinor'),
    totalDiscount: opt(req.totalDiscountMinor, 'totalDiscountMinor'),
    totalTax: opt(req.totalTaxMinor, 'totalTaxMinor'),
    totalShipping: opt(req.totalShippingMinor, 'totalShippingMinor'),
    lineItems: req.lineItems?.map((li, i) =>
      defined({
        productId: li.productId,
        quantity: li.quantity,
        price: money(li.priceMinor, c, `lineItems.${i}.priceMinor`),
        sku: li.sku,
        title: li.title,
        category: li.category,
      }),
    ),
    receiptNo: req.receiptNo,
    referrerCode: req.referrerCode,
    clientRef: req.clientRef,
  });
}

/** Contract refund request -> engine RefundInput (the engine takes minor units of the order's currency as they are). */
export function toEngineRefundInput(req: RequestOf<'refunds:capture'>): Obj {
  return defined({ orderId: req.orderId, amountMinor: req.amountMinor, clientRef: req.clientRef });
}

/** Contract edit patch -> engine OrderEditPatch; amounts in the order's currency. */
export function toEngineOrderPatch(patch: OrderPatch, currency: string): Obj {
  return defined({
    mobile: patch.mobile,
    name: patch.name,
    email: patch.email,
    totalPaid: patch.totalPaidMinor === undefined ? undefined : money(patch.totalPaidMinor, currency, 'patch.totalPaidMinor'),
    receiptNo: patch.receiptNo,
    referrerCode: patch.referrerCode,
  });
}

/** Engine CapturedOrder -> contract CapturedOrder (`newCustomer` from the queued calls when not given). */
export function fromEngineCapturedOrder(captured: unknown): unknown {
  const o = captured as Obj;
  if (typeof o.newCustomer === 'boolean') return o;
  const calls = Array.isArray(o.calls) ? o.calls : [];
  return { ...o, newCustomer: calls.includes('register_customer') };
}

function minorOrNull(amount: unknown, currency: string): number | null {
  if (typeof amount !== 'string' && typeof amount !== 'number') return null;
  return toMinorUnits(amount, currency);
}

/** Engine OrderDetail -> contract OrderDetail (the extra totals in minor units). */
export function fromEngineOrderDetail(detail: unknown): unknown {
  if (detail === undefined || detail === null) return null;
  const d = detail as Obj;
  const currency = String(d.currency);
  const minor = (name: 'totalPrice' | 'totalDiscount' | 'totalTax' | 'totalShipping') => {
    const given = d[`${name}Minor`];
    return typeof given === 'number' ? given : minorOrNull(d[name], currency);
  };
  return {
    ...d,
    totalPriceMinor: minor('totalPrice'),
    totalDiscountMinor: minor('totalDiscount'),
    totalTaxMinor: minor('totalTax'),
    totalShippingMinor: minor('totalShipping'),
  };
}

/** Engine SyncStatus -> contract SyncStatus (Gameball's numeric error code as text). */
export function fromEngineStatus(status: unknown): WireSyncStatus {
  const s = status as Obj;
  const e = s.lastError as { code?: unknown; message?: unknown; at?: unknown } | null | undefined;
  const lastError =
    e === null || e === undefined
      ? null
      : defined({ code: e.code === null || e.code === undefined ? undefined : String(e.code), message: String(e.message ?? ''), at: typeof e.at === 'string' ? e.at : undefined });
  return { ...(s as unknown as WireSyncStatus), lastError: lastError as WireSyncStatus['lastError'] };
}

/** Engine Settings -> contract Settings (the same shape; the response schema drops the rest). */
export function fromEngineSettings(settings: unknown): WireSettings {
  return settings as WireSettings;
}

/**
 * Contract settings patch -> engine SettingsPatch. The engine replaces the `scanner` object as a
 * whole, so a patch of one scanner field is completed from the current settings.
 */
export function toEngineSettingsPatch(patch: WireSettingsPatch, current: unknown): Obj {
  const { scanner, ...rest } = patch;
  if (scanner === undefined) return defined(rest);
  const now = ((current as Obj | undefined)?.scanner ?? {}) as { mode?: unknown; deviceId?: unknown };
  return defined({
    ...rest,
    scanner: { mode: scanner.mode ?? now.mode ?? 'auto', deviceId: scanner.deviceId === undefined ? (now.deviceId ?? null) : scanner.deviceId },
  });
}
