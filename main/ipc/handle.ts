// The one door into main from a screen. Every call, from Electron's ipcMain or from a browser-mode
// WebSocket, goes through `IpcRouter.dispatch`, which in this order:
//   1. rejects a channel the contract does not name ('unknown-channel');
//   2. rejects a caller that is not the app's own page in its main frame ('forbidden');
//   3. parses the arguments with the channel's request schema ('invalid-request');
// and only then runs the handler, whose answer is parsed with the response schema (so a field the
// contract does not name, a key for instance, never leaves main) and wrapped in the result
// envelope. Nothing throws out of `dispatch`: errors become `{ ok: false, error: { code, message } }`
// with a message for people; stacks and details go to the log only, never to the screen.
// This file knows nothing about Electron: the shell adapts `ipcMain.handle` to it
// (main/electron/ipc-adapter.ts), browser mode adapts its WebSocket frames (main/web/).
import { z } from 'zod';
import {
  CHANNELS,
  isChannelName,
  type ApiError,
  type ChannelName,
  type ErrorCode,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../../preload/api.ts';

/** Who is calling, reduced to what the check needs (Electron's frame, or a WS session). */
export interface CallerInfo {
  /** URL of the frame that sent the call (Electron: `event.senderFrame.url`). */
  url: string | undefined;
  /** True when the sender is the window's top frame, not an iframe. */
  isMainFrame: boolean;
}

export interface CallContext {
  channel: ChannelName;
  caller: CallerInfo;
}

export type Handler<C extends ChannelName> = (request: RequestOf<C>, ctx: CallContext) => ResponseOf<C> | Promise<ResponseOf<C>>;

export type Handlers = { [C in ChannelName]: Handler<C> };

/** The log methods the router needs (pino's Logger fits). */
export interface RouterLogger {
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/**
 * An error a handler throws on purpose: its code and message reach the screen as they are, so the
 * message must be written for the cashier (what happened, what to do) and carry no secret.
 */
export class PosError extends Error {
  override readonly name = 'PosError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface RouterOptions {
  handlers: Handlers;
  /**
   * Origins of the app's own page, e.g. `app://pos-companion` (Electron) or
   * `http://127.0.0.1:4477` (browser mode). Compared exactly against the caller URL's origin.
   */
  trustedOrigins: readonly string[];
  logger: RouterLogger;
  /** Maps errors the engine throws (not PosError) to an envelope error; undefined = internal. */
  mapError?: (err: unknown) => ApiError | undefined;
}

export interface IpcRouter {
  /** Never rejects. `args` is the list of arguments the caller sent after the channel. */
  dispatch(channel: unknown, args: readonly unknown[], caller: CallerInfo): Promise<Result<unknown>>;
  /** After this, every call answers 'unavailable' (the engine is closing). */
  stop(): void;
  readonly trustedOrigins: readonly string[];
}

const MAX_MESSAGE = 300;
const INTERNAL_MESSAGE = 'Something went wrong in the app. Try again; if it keeps happening, restart the app and tell support.';
const STOPPED_MESSAGE = 'The app is closing. Open it again to continue.';

/** Origin of a URL the way browsers define it; `undefined` for anything unparsable. */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    const u = new URL(url);
    // Custom schemes (app://) have an opaque 'null' origin in WHATWG URL; rebuild it.
    if (u.origin === 'null') return u.host === '' ? undefined : `${u.protocol}//${u.host}`;
    return u.origin;
  } catch {
    return undefined;
  }
}

export function isTrustedCaller(caller: CallerInfo, trustedOrigins: readonly string[]): boolean {
  if (caller.isMainFrame !== true) return false;
  const origin = originOf(caller.url);
  return origin !== undefined && trustedOrigins.includes(origin);
}

/** A people-readable summary of a zod failure, without echoing any input value. */
export function describeZodError(error: z.ZodError): { message: string; field: string | undefined } {
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  const detail = first ? first.message : 'Invalid input.';
  const message = field ? `${field}: ${detail}` : detail;
  return { message: truncate(message), field };
}

function truncate(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s;
}

function fail(code: ErrorCode, message: string, field?: string, extra: Pick<ApiError, 'reason' | 'folder'> = {}): Result<never> {
  const error: ApiError = field === undefined ? { code, message } : { code, message, field };
  if (extra.reason !== undefined) error.reason = extra.reason;
  if (extra.folder !== undefined) error.folder = extra.folder;
  return { ok: false, error };
}

export function createIpcRouter(opts: RouterOptions): IpcRouter {
  const { handlers, trustedOrigins, logger } = opts;
  let stopped = false;

  async function dispatch(channel: unknown, args: readonly unknown[], caller: CallerInfo): Promise<Result<unknown>> {
    if (!isChannelName(channel)) {
      logger.warn({ channel: typeof channel === 'string' ? channel.slice(0, 100) : typeof channel }, 'call on an unknown channel refused');
      return fail('unknown-channel', 'This action does not exist in this version of the app.');
    }
    if (!isTrustedCaller(caller, trustedOrigins)) {
      logger.warn({ channel, origin: originOf(caller.url) ?? 'none', mainFrame: caller.isMainFrame }, 'call from a foreign sender refused');
      return fail('forbidden', 'This page is not allowed to use the till.');
    }
    if (stopped) return fail('unavailable', STOPPED_MESSAGE);

    const spec = CHANNELS[channel];
    if (args.length > 1) return fail('invalid-request', 'Too many arguments.');
    const parsed = spec.request.safeParse(args[0]);
    if (!parsed.success) {
      const { message, field } = describeZodError(parsed.error);
      return fail('invalid-request', message, field);
    }

    let value: unknown;
    try {
      const handler = handlers[channel] as (request: unknown, ctx: CallContext) => unknown;
      value = await handler(parsed.data, { channel, caller });
    } catch (err) {
      return errorResult(channel, err);
    }

    const out = spec.response.safeParse(value);
    if (!out.success) {
      // A bug on main's side: never send the unchecked value; log only where it went wrong.
      logger.error(
        { channel, issues: out.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), code: i.code })) },
        'handler answer does not match the contract',
      );
      return fail('internal', INTERNAL_MESSAGE);
    }
    return { ok: true, value: out.data };
  }

  function errorResult(channel: ChannelName, err: unknown): Result<never> {
    if (err instanceof PosError) return fail(err.code, truncate(err.message), err.field);
    const mapped = opts.mapError?.(err);
    // The engine's reason (and the data folder, for refusals about it) let the screen say it in the till's language.
    if (mapped) return fail(mapped.code, truncate(mapped.message), mapped.field, { reason: mapped.reason, folder: mapped.folder });
    if (err instanceof z.ZodError) {
      const { message, field } = describeZodError(err);
      return fail('invalid-request', message, field);
    }
    logger.error({ channel, err }, 'handler failed');
    return fail('internal', INTERNAL_MESSAGE);
  }

  return {
    dispatch,
    stop: () => {
      stopped = true;
    },
    trustedOrigins,
  };
}
