// An engine error as the sentence the screen shows, in the till's language. A refusal carries the
// engine's reason (preload/api.ts REFUSAL_REASONS) and every reason has its sentence under
// `refusal.` in both dictionaries; the ones about the data folder name it. Only an error without a
// known reason (a lost connection, a bug answered 'internal') is shown through the generic line
// with the engine's message.
import { isRefusalReason } from '../../preload/api.ts';
import type { RefusalReason } from '../../preload/api.ts';
import { ApiCallError } from './api-context.tsx';

/** The reasons whose sentence names the till's data folder (`{{folder}}`). */
export const FOLDER_REFUSALS = [
  'DISK_FULL',
  'DATA_FOLDER_READ_ONLY',
  'DATA_FOLDER_UNAVAILABLE',
] as const satisfies readonly RefusalReason[];
type FolderRefusal = (typeof FOLDER_REFUSALS)[number];

const isFolderRefusal = (reason: RefusalReason): reason is FolderRefusal => (FOLDER_REFUSALS as readonly string[]).includes(reason);

export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** The sentence for an error answer or a thrown ApiCallError; anything else is shown through the generic line. */
export function errorText(t: Translate, err: unknown): string {
  if (err instanceof ApiCallError && isRefusalReason(err.reason)) {
    // A sentence that names the folder needs it: without it (never sent so far) the engine's message says more.
    // The receipt's sentence names its order: without it the engine's message (which names it) says more.
    if (err.reason === 'RECEIPT_ALREADY_CAPTURED') {
      if (err.orderId !== undefined) return t('refusal.RECEIPT_ALREADY_CAPTURED', { orderId: err.orderId });
    } else if (!isFolderRefusal(err.reason)) return t(`refusal.${err.reason}`);
    if (err.folder !== undefined) return t(`refusal.${err.reason}`, { folder: err.folder });
  }
  return t('errors.generic', { message: err instanceof Error ? err.message : String(err) });
}
