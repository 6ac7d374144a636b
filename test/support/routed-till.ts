// A real engine (real SQLite file, no sync) behind a real bridge: the one door every screen uses
// (the router, as Electron's IPC and browser mode's WebSocket call it). For integration tests of
// what crosses the bridge. Everything it opens is closed by `cleanup` (newest first).
import { Writable } from 'node:stream';
import type { Result } from '../../preload/api.ts';
import { createEngine, noSync } from '../../main/engine.ts';
import type { Engine } from '../../main/engine.ts';
import { createBridge } from '../../main/ipc/bridge.ts';
import { createLogger } from '../../main/log.ts';
import { testCipher } from './test-cipher.ts';
import { steppedClock, tempDir } from './till-fixture.ts';
import type { SteppedClock } from './till-fixture.ts';

export const ROUTED_ORIGIN = 'http://127.0.0.1:4477';

export interface RoutedTill {
  engine: Engine;
  clock: SteppedClock;
  dir: string;
  /** A call as the page makes it: the contract's result envelope. */
  call(channel: string, request?: unknown): Promise<Result<unknown>>;
  /** Every log line written so far. */
  log(): string;
  cleanup(): Promise<void>;
}

export async function routedTill(prefix: string): Promise<RoutedTill> {
  const closers: Array<() => unknown> = [];
  const t = tempDir(prefix);
  closers.push(t.cleanup);
  const clock = steppedClock();
  const logText: string[] = [];
  const logger = createLogger({ destination: new Writable({ write: (chunk, _e, done) => (logText.push(String(chunk)), done()) }) });
  const engine = await createEngine({ dataDir: t.dir, clock, logger, secretCipher: testCipher(), env: {}, sync: noSync });
  closers.push(() => engine.close());
  const bridge = createBridge({
    engine,
    trustedOrigins: [ROUTED_ORIGIN],
    logger,
    clock,
    app: { name: 'POS Companion', version: 't', shell: 'browser', platform: 'linux' },
  });
  closers.push(() => bridge.close());
  return {
    engine,
    clock,
    dir: t.dir,
    call: (channel, request) =>
      bridge.router.dispatch(channel, request === undefined ? [] : [request], { url: `${ROUTED_ORIGIN}/`, isMainFrame: true }),
    log: () => logText.join(''),
    async cleanup() {
      for (const c of closers.reverse()) await c();
    },
  };
}
