import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseRateLimit, registerSimulatorCommands, simulatorOptionsFromFlags } from '../../../main/cli/simulator.ts';

describe('parseRateLimit', () => {
  it('reads PER_SECOND/PER_30S and off', () => {
    expect(parseRateLimit('30/360')).toEqual({ perSecond: 30, per30s: 360 });
    expect(parseRateLimit(' 2 / 10 ')).toEqual({ perSecond: 2, per30s: 10 });
    expect(parseRateLimit('off')).toBe(false);
    expect(parseRateLimit('OFF')).toBe(false);
  });

  it.each(['30', '30/', '/360', 'a/b', '0/10', '-1/10', '1.5/10'])('refuses %j', (value) => {
    expect(() => parseRateLimit(value)).toThrow(/PER_SECOND\/PER_30S/);
  });
});

describe('simulatorOptionsFromFlags', () => {
  it('flags win over the environment; empty variables count as unset', () => {
    expect(
      simulatorOptionsFromFlags({ port: 0, apiKey: 'flag' }, { GAMEBALL_SIM_API_KEY: 'env', GAMEBALL_SIM_SECRET_KEY: 'env-secret' }),
    ).toEqual({ port: 0, apiKey: 'flag', secretKey: 'env-secret' });
    expect(simulatorOptionsFromFlags({ port: 5 }, { GAMEBALL_SIM_API_KEY: '' })).toEqual({ port: 5 });
  });

  it('maps every flag to its option', () => {
    expect(
      simulatorOptionsFromFlags(
        {
          port: 1,
          latencyMs: 2,
          jitterMs: 3,
          errorRate: 0.1,
          resetRate: 0.2,
          dropRate: 0.3,
          rateLimit: false,
          referralWindowMs: 4,
          pointsPerUnit: 5,
          seed: 6,
          state: 'f.json',
          errorTypeStyle: 'title',
          unknownOrderTransactions: 'empty',
        },
        {},
      ),
    ).toEqual({
      port: 1,
      latencyMs: 2,
      jitterMs: 3,
      errorRate: 0.1,
      resetRate: 0.2,
      dropRate: 0.3,
      rateLimit: false,
      referralWindowMs: 4,
      pointsPerUnit: 5,
      seed: 6,
      stateFile: 'f.json',
      errorTypeStyle: 'title',
      unknownOrderTransactions: 'empty',
    });
  });
});

describe('registerSimulatorCommands', () => {
  function parse(args: string[]): { flags?: Record<string, unknown>; error?: string } {
    const program = new Command('pos-companion').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerSimulatorCommands(program);
    const cmd = program.commands.find((c) => c.name() === 'simulator');
    if (!cmd) throw new Error('no simulator command');
    cmd.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    let flags: Record<string, unknown> | undefined;
    cmd.action((f: Record<string, unknown>) => {
      flags = f;
    });
    try {
      program.parse(['simulator', ...args], { from: 'user' });
      return { ...(flags ? { flags } : {}) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  it('parses the documented flags', () => {
    const { flags } = parse([
      '--port',
      '8787',
      '--api-key',
      'K',
      '--secret-key',
      'S',
      '--latency-ms',
      '50',
      '--jitter-ms',
      '10',
      '--error-rate',
      '0.1',
      '--reset-rate',
      '0.05',
      '--drop-rate',
      '0.02',
      '--rate-limit',
      '5/20',
      '--state',
      's.json',
    ]);
    expect(flags).toMatchObject({
      port: 8787,
      apiKey: 'K',
      secretKey: 'S',
      latencyMs: 50,
      jitterMs: 10,
      errorRate: 0.1,
      resetRate: 0.05,
      dropRate: 0.02,
      rateLimit: { perSecond: 5, per30s: 20 },
      state: 's.json',
    });
  });

  it.each([
    [['--port', '70000'], 'port'],
    [['--drop-rate', '1.5'], 'between 0 and 1'],
    [['--latency-ms', '-5'], '>= 0'],
    [['--error-type-style', 'lower'], 'upper or title'],
  ])('refuses %j', (args, message) => {
    expect(parse(args).error).toContain(message);
  });
});
