import type { z } from 'zod';
import type { RefusalReasonOf } from '../../preload/api.ts';
import { DATA_FOLDER_CODES, dataFolderMessage, problemOf } from '../data-folder.ts';

/**
 * Why the till refused a capture or a queue operation. Nothing was written when this is thrown.
 * Each is a refusal reason of the contract (preload/api.ts REFUSAL_REASONS), checked at compile time.
 */
export type RefusalCode = RefusalReasonOf<
  | 'INVALID_INPUT'
  | 'INVALID_MOBILE'
  | 'INVALID_CUSTOMER_ID'
  | 'INVALID_AMOUNT'
  | 'UNKNOWN_CURRENCY'
  | 'REFERRAL_NOT_FIRST_PURCHASE'
  | 'SELF_REFERRAL'
  | 'INVALID_REFERRAL_CODE'
  | 'REFERRAL_LINK_WITHOUT_CODE'
  | 'DUPLICATE_RECEIPT'
  | 'RECEIPT_ALREADY_CAPTURED'
  | 'ORDER_NOT_FOUND'
  | 'ORDER_DISCARDED'
  | 'NOTHING_TO_REFUND'
  | 'REFUND_TOO_LARGE'
  | 'NOT_IN_ATTENTION'
  | 'ORDER_IN_FLIGHT'
  | 'ALREADY_SYNCED'
  | 'CLIENT_REF_REUSED'
  // Spending points (main/loyalty/holds.ts).
  | 'REDEEM_OFFLINE'
  | 'REDEEM_REFUSED'
  | 'REDEEM_UNCONFIRMED'
  | 'HOLD_NOT_USABLE'
  // The data folder cannot take the write (see main/data-folder.ts); `folder` names it.
  | 'DISK_FULL'
  | 'DATA_FOLDER_READ_ONLY'
  | 'DATA_FOLDER_UNAVAILABLE'
>;

/**
 * A refusal meant for a person: `message` says what happened and what to do; `field` names the
 * input field at fault, when there is one. Never carries a secret.
 */
export class CaptureRefusedError extends Error {
  override name = 'CaptureRefusedError';
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly field?: string,
    /** The data folder, for the refusals about it (the screen puts it in its own sentence). */
    readonly folder?: string,
  ) {
    super(message);
  }

  toJSON(): { code: RefusalCode; message: string; field?: string; folder?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.field ? { field: this.field } : {}),
      ...(this.folder ? { folder: this.folder } : {}),
    };
  }
}

/**
 * A write that failed because of the data folder (disk full, read-only, gone) as a refusal: the
 * transaction did not commit, so nothing was saved and the cashier can save again once the folder
 * is fixed. Null when `err` is about something else (it is then rethrown as it was).
 */
export function refusalFromStorage(err: unknown, folder: string): CaptureRefusedError | null {
  if (err instanceof CaptureRefusedError) return null;
  const problem = problemOf(err, folder);
  if (problem === null) return null;
  return new CaptureRefusedError(DATA_FOLDER_CODES[problem], dataFolderMessage(problem, folder, 'save'), undefined, folder);
}

/** The first zod issue as a refusal: "<field>: <what is wrong>". */
export function refusalFromZod(error: z.ZodError): CaptureRefusedError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  let message = issue?.message ?? 'invalid input';
  if (issue?.code === 'unrecognized_keys') message = `Unknown field(s): ${issue.keys.join(', ')}`;
  return new CaptureRefusedError('INVALID_INPUT', field ? `${field}: ${message}.` : `${message}.`, field);
}
