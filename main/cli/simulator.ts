// `npx pos-companion simulator`: runs the Gameball simulator in the foreground on 127.0.0.1,
// prints the URL it listens on, and stops cleanly (state file flushed) on SIGINT/SIGTERM.
// Keys can come from the environment (GAMEBALL_SIM_API_KEY / GAMEBALL_SIM_SECRET_KEY) so they
// need not appear in a process list; they are never printed.
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import type { RateLimitOption, SimulatorOptions } from '../simulator/index.ts';
import { untilStopSignal } from './until-signal.ts';

/** What commander parses: the simulator's options under their flag names (`--state` is the state file). */
export type SimulatorFlags = Pick<
  SimulatorOptions,
  | 'apiKey'
  | 'secretKey'
  | 'latencyMs'
  | 'jitterMs'
  | 'errorRate'
  | 'resetRate'
  | 'dropRate'
  | 'rateLimit'
  | 'referralWindowMs'
  | 'pointsPerUnit'
  | 'holdTtlMs'
  | 'seed'
  | 'errorTypeStyle'
  | 'unknownOrderTransactions'
> & {
  port: number;
  state?: string;
};

function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0.`);
    return n;
  };
}

function share(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a share between 0 and 1.');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0 = any free port).');
  return n;
}

/** `off` (no limits) or `PER_SECOND/PER_30S`, e.g. `30/360` (Gameball's) or `2/10` for a 429 storm. */
export function parseRateLimit(value: string): RateLimitOption | false {
  if (/^(off|false|none|0)$/i.test(value.trim())) return false;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new InvalidArgumentError('use PER_SECOND/PER_30S (e.g. 30/360) or off.');
  }
  return { perSecond: Number(m[1]), per30s: Number(m[2]) };
}

export function simulatorOptionsFromFlags(flags: SimulatorFlags, env: NodeJS.ProcessEnv = process.env): SimulatorOptions {
  // An empty variable counts as unset.
  const apiKey = flags.apiKey ?? (env.GAMEBALL_SIM_API_KEY || undefined);
  const secretKey = flags.secretKey ?? (env.GAMEBALL_SIM_SECRET_KEY || undefined);
  const opts: SimulatorOptions = { port: flags.port };
  if (apiKey !== undefined) opts.apiKey = apiKey;
  if (secretKey !== undefined) opts.secretKey = secretKey;
  if (flags.latencyMs !== undefined) opts.latencyMs = flags.latencyMs;
  if (flags.jitterMs !== undefined) opts.jitterMs = flags.jitterMs;
  if (flags.errorRate !== undefined) opts.errorRate = flags.errorRate;
  if (flags.resetRate !== undefined) opts.resetRate = flags.resetRate;
  if (flags.dropRate !== undefined) opts.dropRate = flags.dropRate;
  if (flags.rateLimit !== undefined) opts.rateLimit = flags.rateLimit;
  if (flags.referralWindowMs !== undefined) opts.referralWindowMs = flags.referralWindowMs;
  if (flags.pointsPerUnit !== undefined) opts.pointsPerUnit = flags.pointsPerUnit;
  if (flags.holdTtlMs !== undefined) opts.holdTtlMs = flags.holdTtlMs;
  if (flags.seed !== undefined) opts.seed = flags.seed;
  if (flags.state !== undefined) opts.stateFile = flags.state;
  if (flags.errorTypeStyle !== undefined) opts.errorTypeStyle = flags.errorTypeStyle;
  if (flags.unknownOrderTransactions !== undefined) opts.unknownOrderTransactions = flags.unknownOrderTransactions;
  return opts;
}

export function registerSimulatorCommands(program: Command): void {
  program
    .command('simulator')
    .description('Run a local Gameball (training mode, tests, chaos runs) on 127.0.0.1 until stopped')
    .option('--port <n>', 'port to listen on (0 = any free port)', port, 0)
    .option('--api-key <key>', 'APIKey clients must send (default: $GAMEBALL_SIM_API_KEY or sim-api-key)')
    .option('--secret-key <key>', 'SecretKey clients must send (default: $GAMEBALL_SIM_SECRET_KEY or sim-secret-key)')
    .option('--latency-ms <ms>', 'added latency per request', nonNegative('--latency-ms'))
    .option('--jitter-ms <ms>', 'random extra latency, 0..ms', nonNegative('--jitter-ms'))
    .option('--error-rate <share>', 'share of requests answered 500/503 (nothing committed)', share)
    .option('--reset-rate <share>', 'share of connections reset before anything is committed', share)
    .option('--drop-rate <share>', 'share of requests committed, then dropped without an answer', share)
    .option('--rate-limit <spec>', "PER_SECOND/PER_30S (Gameball's: 30/360) or off", parseRateLimit)
    .option(
      '--referral-window-ms <ms>',
      'how long after registration a referral code still counts (default 300000)',
      nonNegative('--referral-window-ms'),
    )
    .option('--points-per-unit <n>', 'earning rule: rewardedPoints = floor(totalPaid * n) (default 1)', nonNegative('--points-per-unit'))
    .option('--hold-ttl-ms <ms>', "how long a hold of points lasts (default Gameball's 600000)", nonNegative('--hold-ttl-ms'))
    .option('--seed <n>', 'seed of the fault PRNG, for repeatable chaos runs', nonNegative('--seed'))
    .option('--state <file>', 'keep the ledger in this JSON file across restarts')
    .option('--error-type-style <style>', 'spelling of error "type": upper (PAYLOAD_ERROR) or title (Payload Error)', (v: string) => {
      if (v !== 'upper' && v !== 'title') throw new InvalidArgumentError('use upper or title.');
      return v;
    })
    .option(
      '--unknown-order-transactions <answer>',
      'GET /orders/{id}/transactions for an unknown order: not-found or empty',
      (v: string) => {
        if (v !== 'not-found' && v !== 'empty') throw new InvalidArgumentError('use not-found or empty.');
        return v;
      },
    )
    .action(async (flags: SimulatorFlags) => {
      const { startSimulator } = await import('../simulator/index.ts');
      const sim = await startSimulator(simulatorOptionsFromFlags(flags));
      if (sim.stateFileMovedAside) {
        process.stderr.write(`State file could not be read; it was moved to ${sim.stateFileMovedAside} and the simulator started empty.\n`);
      }
      process.stdout.write(`Gameball simulator listening on ${sim.url}\n`);
      process.stdout.write(`Control API: ${sim.url}/_sim/ledger, /_sim/faults, /_sim/outage, /_sim/reset\n`);
      await untilStopSignal();
      await sim.close();
      process.stdout.write('Gameball simulator stopped.\n');
    });
}
