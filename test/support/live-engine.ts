// A live till's engine (not training) whose real Gameball sync (main/sync/wiring.ts) is pointed at
// the project's simulator over HTTP, on a fresh data folder: for end-to-end tests of the engine
// facade. The sync is not started; tests drain it through `part()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../main/engine.ts';
import type { Engine } from '../../main/engine.ts';
import { silentLogger } from '../../main/log.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import type { RunningSimulator } from '../../main/simulator/index.ts';
import { gameballSync } from '../../main/sync/wiring.ts';
import type { GameballSyncPart } from '../../main/sync/wiring.ts';

const API_KEY = 'live-api-key-abcdef123456';
const SECRET_KEY = 'live-secret-key-987654fedcba';

export interface LiveEngine {
  dir: string;
  sim: RunningSimulator;
  engine: Engine;
  /** The engine's Gameball sync part (one call at a time, quick retries). */
  part(): GameballSyncPart;
  close(): Promise<void>;
}

export async function liveEngine(prefix: string): Promise<LiveEngine> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  let part: GameballSyncPart | undefined;
  const engine = await createEngine({
    dataDir: dir,
    training: false,
    env: { GAMEBALL_BASE_URL: sim.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY },
    secretCipher: null,
    logger: silentLogger(),
    startSync: false,
    sync: async (ctx) =>
      (part = await gameballSync({ concurrency: 1, idlePollMs: 50, backoff: { baseMs: 20, capMs: 100, minMs: 5 } })(ctx)),
  });
  return {
    dir,
    sim,
    engine,
    part() {
      if (!part) throw new Error('the engine made no Gameball sync part');
      return part;
    },
    async close() {
      await engine.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
