// Starting the local integration API for a running till (the desktop app, `serve`): the port from
// the `integration.apiPort` setting unless the caller names one (`serve --api-port`), null = off;
// the token made on first start (main/integration/api-token.ts). A port another program holds
// does not stop the till: the API stays off, and the log and the answer say why.
import { appVersion } from '../fleet/metrics.ts';
import type { Logger } from '../log.ts';
import { ensureApiToken, readApiToken } from './api-token.ts';
import { startApiServer } from './api-server.ts';
import type { ApiEngine, RunningApiServer } from './api-server.ts';

export interface StartApiOptions {
  engine: ApiEngine & { readonly dataDir: string };
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Overrides the setting (0: any free port; null: off). */
  port?: number | null;
}

/** Where the API of each running till (by data folder) listens, for Settings to show. */
const runningOrigins = new Map<string, string>();

/** `http://127.0.0.1:PORT` of the API this process runs for `dataDir`, or null. */
export function runningApiOrigin(dataDir: string): string | null {
  return runningOrigins.get(dataDir) ?? null;
}

export type StartedApi = { api: RunningApiServer; problem: null } | { api: null; problem: string | null };

export async function startIntegrationApi(opts: StartApiOptions): Promise<StartedApi> {
  const { engine, logger } = opts;
  const port = opts.port !== undefined ? opts.port : engine.getSettings().integration.apiPort;
  if (port === null) return { api: null, problem: null };
  ensureApiToken(engine.dataDir);
  try {
    const api = await startApiServer({
      engine,
      port,
      logger,
      appVersion: appVersion(),
      token: () => readApiToken(engine.dataDir),
    });
    runningOrigins.set(engine.dataDir, api.origin);
    const close = api.close;
    api.close = async () => {
      if (runningOrigins.get(engine.dataDir) === api.origin) runningOrigins.delete(engine.dataDir);
      await close();
    };
    return { api, problem: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem =
      code === 'EADDRINUSE'
        ? `The local API could not start: port ${port} is used by another program. Choose another (pos-companion config set integration.apiPort <port>) and restart.`
        : `The local API could not start: ${err instanceof Error ? err.message : String(err)}`;
    logger.warn({ port, code }, problem);
    return { api: null, problem };
  }
}
