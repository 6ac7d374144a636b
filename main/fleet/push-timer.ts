// The running till's fleet push (docs/fleet.md): every `fleet.pushIntervalSeconds` it pushes the
// till's health to the Pushgateway in `fleet.pushUrl`, if set. The settings are read at each
// tick, and a change of them (settingsChanged) brings the next tick to within a second, so setting
// or clearing the URL or changing the interval takes effect without a restart.
// The timer is unref'd (it never keeps the process alive), pushes never overlap, and a failure is
// logged once per change (a gateway down for a day is one warning, not 1440), never thrown: the
// push runs beside the sale, never in its way.
import { addSecretValues } from '../log.ts';
import type { Logger } from '../log.ts';
import { PUSH_PASSWORD_ENV } from './health.ts';
import type { TillHealth } from './health.ts';

export interface FleetPushSettings {
  pushUrl: string | null;
  pushIntervalSeconds: number;
  pushUser: string | null;
}

export interface FleetPushOptions {
  /** The fleet settings now (read at every tick). */
  settings: () => FleetPushSettings;
  /** The till's health now (may throw: the tick is then a failure like any other). */
  health: () => TillHealth;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Delay of the first push (default 5 s: the till settles first). */
  firstDelayMs?: number;
}

export interface FleetPush {
  /** The settings changed: a URL just set pushes within a second, a new interval applies from now. */
  settingsChanged(): void;
  /** Resolves when the push in progress (if any) is done; none starts after. */
  close(): Promise<void>;
}

export function startFleetPush(opts: FleetPushOptions): FleetPush {
  const password = () => opts.env[PUSH_PASSWORD_ENV] || null;
  const stopScrubbing = addSecretValues(opts.logger, () => {
    const p = password();
    return p === null ? [] : [p];
  });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();
  let inFlight = false;
  /** The last outcome told in the log: 'ok', a failure's message, or 'off'. */
  let told = 'off';

  const schedule = (ms: number) => {
    if (closed) return;
    timer = setTimeout(() => {
      running = tick();
    }, ms);
    timer.unref();
  };

  async function tick(): Promise<void> {
    let intervalMs = 60_000;
    inFlight = true;
    try {
      const s = opts.settings();
      intervalMs = s.pushIntervalSeconds * 1000;
      if (s.pushUrl === null) {
        told = 'off';
        return;
      }
      // Loaded at the first push: a till that does not push never loads prom-client.
      const { pushHealth } = await import('./metrics.ts');
      const result = await pushHealth(opts.health(), { url: s.pushUrl, user: s.pushUser, password: password() });
      if (told !== 'ok') opts.logger.info({ url: s.pushUrl, ...result.grouping, metrics: result.metricCount }, 'fleet push works');
      told = 'ok';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (told !== message) opts.logger.warn({ err: message }, 'fleet push failed (told again only when the reason changes)');
      told = message;
    } finally {
      inFlight = false;
      schedule(intervalMs);
    }
  }

  schedule(opts.firstDelayMs ?? 5000);
  return {
    settingsChanged() {
      // A push in progress schedules the next one itself, with the settings it read.
      if (closed || inFlight) return;
      if (timer) clearTimeout(timer);
      schedule(1000);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
      stopScrubbing();
    },
  };
}
