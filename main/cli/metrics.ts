// `pos-companion metrics push [--url URL]`: pushes this till's health to the fleet view's
// Pushgateway once (docs/fleet.md), the same metrics the running app pushes every interval, and
// says what it pushed. The URL comes from --url, else the `fleet.pushUrl` setting; the basic-auth
// user from `fleet.pushUser`, its password from $POS_COMPANION_PUSH_PASSWORD only (never an
// argument). Exit 0 pushed; 1 the gateway could not be reached or refused (one line); 2 bad input.
// A one-shot command runs no sync, so whether the till is online is unknown: not sent.
import type { Command } from 'commander';
import { PushUrlSchema } from '../config/settings.ts';
import { appVersion } from '../app-version.ts';
import { dataDirOption, EXIT_REFUSED, oneShotStatus, runWithEngine } from './orders.ts';

export function registerMetricsCommands(program: Command): void {
  const metrics = program.command('metrics').description("The fleet view: this till's health for a Prometheus Pushgateway");
  metrics
    .command('push')
    .description('Push the metrics once (to --url, else the fleet.pushUrl setting) and say what was pushed')
    .addOption(dataDirOption())
    .option('--url <url>', 'the Pushgateway (https://, or http:// only to this computer)')
    .action(async (flags: { dataDir?: string; url?: string }) => {
      let url: string | undefined;
      if (flags.url !== undefined) {
        const parsed = PushUrlSchema.safeParse(flags.url);
        if (!parsed.success) {
          process.stderr.write(`pos-companion: --url ${parsed.error.issues[0]?.message ?? 'is not a usable URL'}.\n`);
          process.exitCode = EXIT_REFUSED;
          return;
        }
        url = parsed.data;
      }
      const prepared = await runWithEngine(flags.dataDir, (engine) => {
        const s = engine.getSettings();
        return {
          health: {
            status: oneShotStatus(engine.status()),
            storeId: s.storeId,
            tillId: s.tillId,
            version: appVersion(),
            // This command runs no scanner service: the mode is known, the state is not.
            scanner: { mode: s.scanner.mode, state: 'unknown' as const },
          },
          fleet: s.fleet,
        };
      });
      if (prepared === undefined) return;
      const target = url ?? prepared.fleet.pushUrl;
      if (target === null) {
        process.stderr.write('pos-companion: no Pushgateway: give --url, or set one with `pos-companion config set fleet.pushUrl URL`.\n');
        process.exitCode = EXIT_REFUSED;
        return;
      }
      const { PUSH_JOB, PUSH_PASSWORD_ENV, pushHealth } = await import('../fleet/metrics.ts');
      const password = process.env[PUSH_PASSWORD_ENV] || null;
      const result = await pushHealth(prepared.health, { url: target, user: prepared.fleet.pushUser, password });
      const { store, till } = result.grouping;
      process.stdout.write(`Pushed ${result.metricCount} metrics to ${target} as job=${PUSH_JOB} store=${store} till=${till}.\n`);
    });
}
