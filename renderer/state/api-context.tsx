// The PosApi the whole screen talks through (Electron preload or the browser-mode WebSocket; see
// renderer/transport). Components take it from context so tests and the benchmark can hand in
// any implementation of the contract.
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { ApiError, PosApi, Result } from '../../preload/api.ts';

const ApiContext = createContext<PosApi | null>(null);

export function ApiProvider({ api, children }: { api: PosApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): PosApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}

/** An error answer from the engine, thrown by `unwrap` so callers can use try/catch. */
export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly field: string | undefined;
  /** The engine's refusal reason (e.g. DISK_FULL), when it gave one: errorText says it in the till's language. */
  readonly reason: ApiError['reason'];
  /** The till's data folder, on refusals about it. */
  readonly folder: string | undefined;
  /** The order a refusal is about (RECEIPT_ALREADY_CAPTURED). */
  readonly orderId: string | undefined;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.field = error.field;
    this.reason = error.reason;
    this.folder = error.folder;
    this.orderId = error.orderId;
  }
}

/** Resolves to the value of an ok result; rejects with ApiCallError on an error result. */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (result.ok) return result.value;
  throw new ApiCallError(result.error);
}
