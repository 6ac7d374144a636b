// The Gameball sync part of the engine, plugged in through ./port.ts by the entry points: builds
// the Gameball client from settings, keys and the environment (or, in training mode, the built-in
// simulator), runs the sync engine, and answers the till's online referral questions over the same
// client.
//
// Training mode: the simulator starts on 127.0.0.1 when first needed, keeps its ledger in the
// data folder (`training-ledger.json`), and only training rows are ever posted to it. Its port is
// reachable by every process and web page on the computer, so it answers only its own Host names,
// its API keys and control token are random per start, and only this process knows them. An engine
// with real keys never posts a training row (the claim filters on the row's training flag).
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SyncContext, SyncPart } from './port.ts';
import { redactKeys } from '../config/keys.ts';
import { createGameballClient } from '../gameball/client.ts';
import type { GameballClient } from '../gameball/client.ts';
import { checkGameballConfig, NO_KEYS_MESSAGE } from '../gameball/config.ts';
import type { HoldGateway } from '../loyalty/holds.ts';
import type { ReferralAdvisor } from '../orders/referral.ts';
import { loyaltyLink } from './loyalty-link.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import type { RunningSimulator } from '../simulator/index.ts';
import { SyncEngine } from './sync-engine.ts';
import type { DrainResult, SyncEngineOptions } from './sync-engine.ts';

export const TRAINING_LEDGER_FILE = 'training-ledger.json';

/** What the `sync` command needs beyond the facade's SyncPart. */
export interface GameballSyncPart extends SyncPart {
  status(): SyncStatus;
  notify(): void;
  /** See SyncEngine.drain. Starts the simulator first in training mode. */
  drain(opts: { untilEmpty: boolean; timeoutMs: number }): Promise<DrainResult>;
  /** `signal` ends the check at once (an interrupted `sync` command). */
  testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }>;
  readonly engine: SyncEngine;
}

export type GameballSyncTuning = Partial<
  Pick<SyncEngineOptions, 'concurrency' | 'leaseMs' | 'backoff' | 'rateLimits' | 'idlePollMs' | 'random' | 'sleep'>
> & {
  /**
   * While a live sync has no Gameball client, how often it looks at its configuration again (a key
   * store that could not decrypt at start may answer later: see UNREADABLE_RETRY_MS). Default 60 s.
   */
  configRetryMs?: number;
};

/** The SyncFactory plugged into createEngine. `tuning` is for tests and benchmarks. */
export function gameballSync(tuning: GameballSyncTuning = {}) {
  const { configRetryMs = 60_000, ...engineTuning } = tuning;
  return async (ctx: SyncContext): Promise<GameballSyncPart> => {
    let sim: RunningSimulator | undefined;
    let simStarting: Promise<RunningSimulator> | undefined;
    let client: GameballClient | null = null;
    let clientKey = '';
    let configProblem: string | null = null;
    let closed = false;

    const simKeys = { apiKey: randomBytes(24).toString('base64url'), secretKey: randomBytes(24).toString('base64url') };
    const ensureSimulator = (): Promise<RunningSimulator> => {
      // Loaded when training first needs it: a command that never syncs does not load the simulator.
      simStarting ??= import('../simulator/index.ts')
        .then(({ startSimulator }) =>
          startSimulator({
            stateFile: join(ctx.dataDir, TRAINING_LEDGER_FILE),
            now: () => ctx.clock.now(),
            ...simKeys,
            checkHost: true,
            controlToken: randomBytes(32).toString('base64url'),
          }),
        )
        .then((s) => {
          sim = s;
          ctx.logger.info({ url: s.url }, 'training mode: built-in Gameball simulator started');
          return s;
        });
      return simStarting;
    };

    /** The client for the current settings and keys; rebuilt when they change. Never logs them. */
    const currentClient = (): GameballClient | null => {
      if (ctx.training) {
        if (!sim) return null;
        if (!client) {
          client = createGameballClient({
            config: { baseUrl: sim.url, apiVersion: 'v4.0', ...simKeys, timeoutMs: 15_000 },
            fetch: ctx.fetch,
          });
        }
        return client;
      }
      const g = ctx.gameball();
      // A digest, so the comparison does not keep another copy of the keys around.
      const key = createHash('sha256')
        .update(JSON.stringify([g.baseUrl, g.apiVersion, g.apiKey, g.secretKey, ctx.env.GAMEBALL_BASE_URL, ctx.env.GAMEBALL_API_VERSION]))
        .digest('hex');
      if (key === clientKey) return client;
      clientKey = key;
      const checked = checkGameballConfig(g, ctx.env);
      configProblem = checked.problem;
      if (checked.config !== null) {
        client = createGameballClient({ config: checked.config, fetch: ctx.fetch });
      } else {
        client = null;
        ctx.logger.warn({ reason: configProblem }, 'Gameball not configured: sync idle');
      }
      return client;
    };

    /** The keys a live client sends (environment or stored), to keep them out of what is recorded. */
    const keyValues = (): (string | null)[] => {
      if (ctx.training) return [];
      const g = ctx.gameball();
      return [g.apiKey, g.secretKey, ctx.env.GAMEBALL_API_KEY ?? null, ctx.env.GAMEBALL_SECRET_KEY ?? null];
    };

    if (!ctx.training) currentClient();
    const engine = new SyncEngine({
      db: ctx.db,
      client: currentClient,
      training: ctx.training,
      clock: ctx.clock,
      logger: ctx.logger,
      // Training needs no keys: a client that is still null there only means the simulator has
      // not started yet, so there is no not-configured reason to give.
      ...(ctx.training ? {} : { notConfiguredMessage: configProblem ?? NO_KEYS_MESSAGE }),
      onDatabaseError: (err, where) => ctx.databaseError(err, where),
      secretValues: keyValues,
      ...engineTuning,
    });
    engine.onChange(() => ctx.notifyStatus());

    /** The configuration may have changed: use it now (see SyncPart.configChanged). */
    const configChanged = () => {
      if (ctx.training || closed) return;
      const c = currentClient();
      engine.reconfigured(c ? null : (configProblem ?? NO_KEYS_MESSAGE));
      if (c && ctx.startSync) engine.start();
      engine.notify();
    };
    // A live sync without a client looks again now and then, until it has one.
    let retryTimer: NodeJS.Timeout | undefined;
    if (!ctx.training && ctx.startSync && !client) {
      retryTimer = setInterval(() => {
        try {
          configChanged();
        } catch (err) {
          ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not look at the Gameball configuration again');
        }
        if (client || closed) clearInterval(retryTimer);
      }, configRetryMs);
      retryTimer.unref();
    }

    const start = async () => {
      if (ctx.training) await ensureSimulator();
      engine.start();
    };
    if (ctx.startSync) await start();

    const advisor: ReferralAdvisor = {
      async validateReferral(referrerCode, forCustomerId, signal) {
        const c = await readyClient();
        const r = await c.validateReferral(referrerCode, forCustomerId, signal);
        if (r.kind !== 'ok' || !r.value) throw new Error(r.message);
        return { isValid: r.value.isValid };
      },
      async getCustomer(customerId, signal) {
        const c = await readyClient();
        const r = await c.getCustomer(customerId, signal);
        if (r.kind === 'ok' && r.value) return { referralCode: r.value.referralCode ?? null };
        if (r.httpStatus === 404) return null;
        throw new Error(r.message);
      },
    };

    // Spending points: the hold calls, straight to Gameball (or the training simulator), never queued.
    const holds: HoldGateway = {
      hold: async (body, signal) => (await readyClient()).holdPoints(body, signal),
      get: async (ref, signal) => (await readyClient()).getHold(ref, signal),
      release: async (ref, signal) => (await readyClient()).releaseHold(ref, signal),
    };

    async function readyClient(): Promise<GameballClient> {
      if (ctx.training) await ensureSimulator();
      const c = currentClient();
      if (!c) throw new Error(configProblem ?? NO_KEYS_MESSAGE);
      return c;
    }

    const loyalty = loyaltyLink(readyClient);

    return {
      engine,
      get advisor() {
        return ctx.training || currentClient() ? advisor : null;
      },
      get loyalty() {
        return ctx.training || currentClient() ? loyalty : null;
      },
      get holds() {
        return ctx.training || currentClient() ? holds : null;
      },
      configChanged,
      online: () => engine.status().online,
      status: () => engine.status(),
      syncNow: () => engine.syncNow(),
      notify: () => engine.notify(),
      async drain(opts) {
        if (ctx.training) await ensureSimulator();
        return engine.drain(opts);
      },
      async testConnection(signal?: AbortSignal) {
        let c: GameballClient;
        try {
          c = await readyClient();
        } catch (err) {
          return { ok: false, message: err instanceof Error ? err.message : String(err) };
        }
        // Needs both keys under every version; an unknown order id answers 404 when the keys are good.
        const r = await c.orderTransactions('pos-companion-connection-test', signal);
        const where = ctx.training ? 'the built-in training simulator' : `Gameball (${c.config.apiVersion})`;
        // Gameball's own 404 (an error body with a code) proves the keys too; a proxy's 404 page does not.
        if (r.kind === 'ok' || (r.httpStatus === 404 && r.code !== null))
          return { ok: true, message: `Connected to ${where}: the keys were accepted.` };
        if (r.cause === 'auth')
          return {
            ok: false,
            message: redactKeys(
              `Gameball refused the keys (${r.code ?? r.httpStatus}): ${r.message}. Check the API key and secret key.`,
              keyValues(),
            ),
          };
        return { ok: false, message: redactKeys(`Could not talk to ${where}: ${sentence(r.message)}`, keyValues()) };
      },
      async close() {
        closed = true;
        clearInterval(retryTimer);
        await engine.stop();
        const s = sim ?? (simStarting ? await simStarting.catch(() => undefined) : undefined);
        if (s) {
          // The training ledger lives in the data folder: a full or read-only disk must not keep
          // the simulator (and so the process) running, nor fail the shutdown.
          await s.close().catch((err: unknown) => {
            ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'training ledger could not be written at shutdown');
          });
        }
      },
    };
  };
}

/** A message ending in exactly one full stop (some already end in '.' or '?'). */
function sentence(message: string): string {
  return /[.?!]$/.test(message) ? message : `${message}.`;
}
