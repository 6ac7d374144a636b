// The real Gameball client pointed at a simulator (or anything listening at `baseUrl`), with the
// simulator's default keys unless a test overrides them. Kept apart from sync-fixture.ts so the
// crash child, spawned dozens of times, loads only the client.
import { createGameballClient } from '../../main/gameball/client.ts';
import type { GameballClient, GameballClientOptions } from '../../main/gameball/client.ts';
import type { GameballConfig } from '../../main/gameball/config.ts';

export function simulatorClient(
  config: Pick<GameballConfig, 'baseUrl' | 'timeoutMs'> & Partial<GameballConfig>,
  fetch: GameballClientOptions['fetch'] = globalThis.fetch,
): GameballClient {
  return createGameballClient({
    config: { apiVersion: 'v4.0', apiKey: 'sim-api-key', secretKey: 'sim-secret-key', ...config },
    fetch,
  });
}
