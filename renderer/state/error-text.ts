// An engine error as the sentence the screen shows, in the till's language. Refusals about the
// till's data folder have their own sentences (they name the folder and say what to do); any other
// error is shown through the generic line with the engine's message.
import { ApiCallError } from './api-context.tsx';

/** The engine reasons that have a sentence of their own under `refusal.` in the dictionaries. */
export const FOLDER_REFUSALS = ['DISK_FULL', 'DATA_FOLDER_READ_ONLY', 'DATA_FOLDER_UNAVAILABLE'] as const;
type FolderRefusal = (typeof FOLDER_REFUSALS)[number];

const isFolderRefusal = (reason: string | undefined): reason is FolderRefusal => (FOLDER_REFUSALS as readonly string[]).includes(reason ?? '');

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export function errorText(t: Translate, err: unknown): string {
  if (err instanceof ApiCallError && isFolderRefusal(err.reason) && err.folder !== undefined) {
    return t(`refusal.${err.reason}`, { folder: err.folder });
  }
  return t('errors.generic', { message: err instanceof Error ? err.message : String(err) });
}
