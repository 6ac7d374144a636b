// The checkout form lives outside the checkout component: a scan arriving while the cashier is
// on another screen still lands in it, and switching to the queue and back keeps a half-typed
// order. Pure reducer plus a tiny store for useSyncExternalStore.
import type { OrderView } from '../../preload/api.ts';
import type { ReceiptScan, ScanRoute, ScanField } from '../scan/scan-routing.ts';
import { newClientRef } from './safe-save.ts';

export interface ScanNote {
  /** i18n key of the message shown under the form. */
  key: string;
  params?: Record<string, string>;
  tone: 'info' | 'warn';
}

export interface CheckoutForm {
  mobile: string;
  /** Set when the customer's own Gameball QR was scanned; wins over `mobile`. */
  customerId: string | null;
  /**
   * The rotating hash of that QR, with the customer id it came with: it goes with a points hold
   * for that customer only (see customerQrHash). Never saved with the order.
   */
  customerQr: { customerId: string; hash: string } | null;
  amount: string;
  receipt: string;
  referral: string;
  /** The receipt's barcode, when one was scanned: its key goes with the order (captured once). */
  receiptScan: ReceiptScan | null;
  /** Feedback about the last scan (what was filled, or why nothing was). */
  note: ScanNote | null;
  /** The field to focus after the last change; `seq` makes repeated requests distinct. */
  focus: { field: ScanField | 'amount' | 'mobile'; seq: number } | null;
}

export const EMPTY_FORM: CheckoutForm = {
  mobile: '',
  customerId: null,
  customerQr: null,
  amount: '',
  receipt: '',
  referral: '',
  receiptScan: null,
  note: null,
  focus: null,
};

const FILLED_NOTE: Record<ScanField, string> = {
  customer: 'scan.filledCustomer',
  referral: 'scan.filledReferral',
  receipt: 'scan.filledReceipt',
};

/**
 * Applies a routed scan. A fill replaces the field (a scan is the whole value, never appended);
 * the next empty required field gets focus so the cashier can keep typing. Ignored scans leave
 * every field as it was and only explain why.
 */
export function applyScan(form: CheckoutForm, route: ScanRoute, seq: number): CheckoutForm {
  switch (route.kind) {
    case 'fill': {
      const next: CheckoutForm = { ...form, note: { key: FILLED_NOTE[route.field], tone: 'info' } };
      if (route.field === 'customer') {
        next.customerId = route.value;
        // A bare id (no hash) scanned after a QR leaves no stale hash behind.
        next.customerQr = route.hash ? { customerId: route.value, hash: route.hash } : null;
        next.mobile = '';
      } else if (route.field === 'referral') {
        next.referral = route.value;
      } else {
        next.receipt = route.value;
      }
      next.focus = { field: nextEmptyField(next) ?? route.field, seq };
      return next;
    }
    case 'receipt': {
      // A receipt's barcode fills what it carries (number, amount) and keeps its key for the save.
      const r = route.receipt;
      const next: CheckoutForm = {
        ...form,
        receiptScan: r,
        note: { key: r.total === undefined ? 'scan.filledReceipt' : 'scan.filledReceiptSale', tone: 'info' },
      };
      if (r.receiptNo !== undefined) next.receipt = r.receiptNo;
      if (r.total !== undefined) next.amount = r.total;
      next.focus = { field: nextEmptyField(next) ?? 'receipt', seq };
      return next;
    }
    case 'type-code':
      return { ...form, referral: '', note: { key: 'referral.typeCode', tone: 'warn' }, focus: { field: 'referral', seq } };
    case 'ignore': {
      const key =
        route.note === 'product'
          ? 'scan.product'
          : route.note === 'rejected'
            ? 'scan.rejected'
            : route.note === 'incomplete'
              ? 'scan.incomplete'
              : 'scan.unknown';
      return { ...form, note: { key, tone: 'warn', params: { reason: route.reason ?? '' } } };
    }
  }
}

/** The hash of the QR the customer now in the form showed; null when they were typed, cleared or changed. */
export function customerQrHash(form: CheckoutForm): string | null {
  return form.customerQr !== null && form.customerQr.customerId === form.customerId ? form.customerQr.hash : null;
}

/** A QR's hash belongs to its customer: any change of the customer (cleared, another scan, typed) drops it. */
function keepQrWithCustomer(form: CheckoutForm): CheckoutForm {
  return form.customerQr === null || customerQrHash(form) !== null ? form : { ...form, customerQr: null };
}

function nextEmptyField(form: CheckoutForm): 'mobile' | 'amount' | null {
  if (form.customerId === null && form.mobile.trim() === '') return 'mobile';
  if (form.amount.trim() === '') return 'amount';
  return null;
}

export class CheckoutFormStore {
  private form: CheckoutForm = EMPTY_FORM;
  private readonly listeners = new Set<() => void>();
  private seq = 0;
  private recent: readonly OrderView[] = [];
  /** This sale's reference: the same on every save of this form until one is confirmed (see safe-save.ts). */
  private clientRef: string;
  static readonly RECENT_LIMIT = 6;

  constructor(private readonly makeRef: () => string = newClientRef) {
    this.clientRef = makeRef();
  }

  getClientRef(): string {
    return this.clientRef;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): CheckoutForm => this.form;

  update(patch: Partial<CheckoutForm> | ((form: CheckoutForm) => CheckoutForm)): void {
    this.form = keepQrWithCustomer(typeof patch === 'function' ? patch(this.form) : { ...this.form, ...patch });
    for (const l of this.listeners) l();
  }

  scan(route: ScanRoute): void {
    this.seq += 1;
    const seq = this.seq;
    this.update((f) => applyScan(f, route, seq));
  }

  /** A scanned receipt that was captured already (as `orderId`): nothing is filled, the note names the order. */
  refuseReceipt(orderId: string): void {
    this.seq += 1;
    this.update((f) => ({ ...f, note: { key: 'scan.receiptCaptured', params: { orderId }, tone: 'warn' } }));
  }

  focus(field: NonNullable<CheckoutForm['focus']>['field']): void {
    this.seq += 1;
    this.update({ focus: { field, seq: this.seq } });
  }

  /** Orders saved at this till since the screen opened, newest first. */
  readonly getRecent = (): readonly OrderView[] => this.recent;

  /** Adds a just-captured order, or replaces an order already listed with its newer view. */
  putRecent(order: OrderView): void {
    const rest = this.recent.filter((o) => o.orderId !== order.orderId);
    const known = rest.length !== this.recent.length;
    this.recent = known
      ? this.recent.map((o) => (o.orderId === order.orderId ? order : o))
      : [order, ...rest].slice(0, CheckoutFormStore.RECENT_LIMIT);
    for (const l of this.listeners) l();
  }

  /** A new sale: empty fields and a new clientRef. */
  reset(): void {
    this.clientRef = this.makeRef();
    this.seq += 1;
    this.update({ ...EMPTY_FORM, focus: { field: 'mobile', seq: this.seq } });
  }
}

/**
 * The time a scanned receipt QR gives the sale, as the order's `soldAt` (ISO 8601 in UTC), or
 * undefined when the scan carries none. A ZATCA time printed without its zone is the seller's local
 * time: it is read in the till's own zone (the till stands in the shop).
 */
export function receiptSaleTime(scan: ReceiptScan | null): string | undefined {
  if (scan?.time === undefined) return undefined;
  const at = Date.parse(scan.time);
  return Number.isFinite(at) ? new Date(at).toISOString() : undefined;
}
