// `pos-companion serve`: the engine, the scanner (when HID is available) and browser mode in one
// process. Training mode is the engine's: with no Gameball keys configured it posts only to its
// built-in simulator (ledger kept in the data folder) and marks every order it captures as
// training, so such an order can never reach a real Gameball account; `app:info` says so.
// `--simulator-url` instead points the engine at an external simulator as if it were Gameball,
// with the keys from GAMEBALL_API_KEY / GAMEBALL_SECRET_KEY (end-to-end tests).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../clock.ts';
import { createEngine, type Engine, type EngineOptions } from '../engine.ts';
import { createBridge } from '../ipc/bridge.ts';
import { scannerPortFrom } from '../ipc/scanner-port.ts';
import { closeLogger, createLogger, type Logger } from '../log.ts';
import type { ScannerService, ScannerServiceConfig } from '../scanner/service.ts';
import { createScannerService, scannerConfigFrom } from '../scanner/service.ts';
import type { HidTransport } from '../scanner/transport.ts';
import { gameballSync } from '../sync/wiring.ts';
import { createReplayHidTransport, REPLAY_DEVICES, type ReplayProfile } from './replay-transport.ts';
import { MIN_TOKEN_LENGTH, newSessionToken, TOKEN_PATTERN } from './security.ts';
import { startWebServer, type RunningWebServer } from './server.ts';
import { startIntegrationApi } from '../integration/start.ts';
import type { RunningApiServer } from '../integration/api-server.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_STATIC_DIR = join(repoRoot, 'build', 'renderer');
export const DEFAULT_PORT = 4477;

export interface ServeOptions {
  dataDir: string;
  port?: number;
  /** Fixed session token (tests); default: a fresh random one. */
  token?: string;
  /** Use this simulator as "real" Gameball (keys from the environment). */
  simulatorUrl?: string;
  staticDir?: string;
  /** HID scanners: 'node-hid' (default), a capture file replayed on every write (as the kind of
   *  scanner its `# mode:` / `# layout:` lines name), or none. */
  hid?: { kind: 'node-hid' } | { kind: 'replay'; file: string } | { kind: 'none' };
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** The local integration API's port (0: any free one; null: off). Default: the `integration.apiPort` setting. */
  apiPort?: number | null;
}

export interface RunningServe {
  server: RunningWebServer;
  engine: Engine;
  /** True: the engine started in training mode (built-in simulator only); `engine.training` follows later changes. */
  training: boolean;
  /** The local integration API (docs/local-api.md); null when off or its port was taken (`apiProblem` says so). */
  api: RunningApiServer | null;
  apiProblem: string | null;
  close(): Promise<void>;
}

export class ServeError extends Error {
  override name = 'ServeError';
}

function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

interface HidChoice {
  transport: HidTransport;
  /** Scanner settings that come with this transport (the replayed scanner's device and layout). */
  config?: Partial<ScannerServiceConfig>;
}

/** Where a replayed scanner of this kind is found, and how its reports are laid out. */
function replayScannerConfig(profile: ReplayProfile): Partial<ScannerServiceConfig> {
  return { device: REPLAY_DEVICES[profile.mode].path, layout: profile.layout };
}

async function hidTransport(
  choice: ServeOptions['hid'],
  logger: Logger,
  scanner: () => ScannerService | undefined,
): Promise<HidChoice | undefined> {
  if (!choice || choice.kind === 'node-hid') {
    try {
      // Loaded lazily: a till without a usable node-hid build still serves the screen.
      const { createNodeHidTransport } = await import('../scanner/node-hid-transport.ts');
      return { transport: createNodeHidTransport() };
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'HID scanners unavailable in browser mode');
      return undefined;
    }
  }
  if (choice.kind === 'replay') {
    const transport = createReplayHidTransport({
      file: choice.file,
      // The capture needs another kind of scanner (its `# mode:` / `# layout:` lines): the service
      // follows the re-enumerated device, with the capture's layout.
      onProfile: (profile) => {
        logger.info({ mode: profile.mode, layout: profile.layout }, 'replayed scanner re-enumerated');
        return scanner()?.reconfigure(replayScannerConfig(profile));
      },
    });
    return { transport, config: replayScannerConfig(transport.profile()) };
  }
  return undefined;
}

export async function startServe(opts: ServeOptions): Promise<RunningServe> {
  const env = { ...(opts.env ?? process.env) };
  const clock = opts.clock ?? systemClock;
  const token = opts.token ?? newSessionToken();
  if (token.length < MIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) {
    throw new ServeError(`The session token must be at least ${MIN_TOKEN_LENGTH} letters, digits, "-" or "_".`);
  }

  const engineOpts: EngineOptions = { dataDir: opts.dataDir, clock, env, sync: gameballSync() };
  if (opts.simulatorUrl !== undefined) {
    if (!env.GAMEBALL_API_KEY || !env.GAMEBALL_SECRET_KEY) {
      throw new ServeError('--simulator-url needs the keys in GAMEBALL_API_KEY and GAMEBALL_SECRET_KEY.');
    }
    env.GAMEBALL_BASE_URL = opts.simulatorUrl;
    engineOpts.training = false;
  }
  // The one logger of this process (made once the options are accepted): the engine writes through
  // it too, and adds its keys to its scrubber.
  const ownLogger = opts.logger === undefined;
  const logger = opts.logger ?? createLogger({ file: join(opts.dataDir, 'logs', 'pos-companion.log'), name: 'serve' });
  engineOpts.logger = logger;

  let engine: Engine | undefined;
  let scanner: ScannerService | undefined;
  let server: RunningWebServer | undefined;
  try {
    engine = await createEngine(engineOpts);
    const settings = engine.getSettings();
    const hid = await hidTransport(opts.hid, logger, () => scanner);
    if (hid) {
      scanner = createScannerService({
        transport: hid.transport,
        clock,
        logger,
        config: { ...scannerConfigFrom(settings, process.platform), ...hid.config },
      });
      scanner.start();
    }
    const started = engine;
    const port = scannerForBridge(scanner);
    server = await startWebServer({
      port: opts.port ?? DEFAULT_PORT,
      staticDir: opts.staticDir ?? DEFAULT_STATIC_DIR,
      token,
      logger,
      clock,
      createBridge: (trustedOrigins) =>
        createBridge({
          engine: started,
          scanner: port,
          trustedOrigins,
          logger,
          clock,
          app: { name: 'POS Companion', version: appVersion(), shell: 'browser', platform: process.platform },
        }),
    });
  } catch (err) {
    await scanner?.stop();
    await engine?.close();
    if (ownLogger) await closeLogger(logger);
    throw err;
  }
  const training = engine.training;
  logger.info({ port: server.port, training, dataDir: opts.dataDir }, 'browser mode serving');
  const integration = await startIntegrationApi({ engine, logger, ...(opts.apiPort === undefined ? {} : { port: opts.apiPort }) });

  const running = { server, engine, scanner, api: integration.api };
  let closing: Promise<void> | undefined;
  return {
    server,
    engine,
    training,
    api: integration.api,
    apiProblem: integration.problem,
    close() {
      // Order: stop taking calls, stop the scanner, let the engine finish its write and close.
      closing ??= (async () => {
        await running.api?.close();
        await running.server.close();
        await running.scanner?.stop();
        await running.engine.close();
        if (ownLogger) await closeLogger(logger);
      })();
      return closing;
    },
  };
}

function scannerForBridge(service: ScannerService | undefined) {
  return service ? scannerPortFrom(service) : undefined;
}
