// The router's handlers: the little they do besides passing the engine's answer on (completing a
// one-field scanner patch), and what the contract lets through of an answer (the status's clock
// figures, present or not).
import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema } from '../../../preload/api.ts';
import { createBridge } from '../../../main/ipc/bridge.ts';
import { settingsPatchFor } from '../../../main/ipc/routes.ts';
import { fakeEngine, SAMPLE_SETTINGS, SAMPLE_STATUS, testLogger } from '../../support/fake-bridge-engine.ts';
import type { BridgeEngine } from '../../../main/ipc/bridge.ts';

const ORIGIN = 'http://127.0.0.1:4477';

function router(overrides: Partial<BridgeEngine>) {
  const bridge = createBridge({
    engine: fakeEngine(overrides),
    trustedOrigins: [ORIGIN],
    logger: testLogger(),
    clock: { now: () => 1 },
    app: { name: 'POS Companion', version: 't', shell: 'browser', platform: 'linux' },
  });
  return (channel: string) => bridge.router.dispatch(channel, [], { url: `${ORIGIN}/`, isMainFrame: true });
}

describe('settingsPatchFor', () => {
  it('a patch of one scanner field keeps the other from the current settings', () => {
    const current = { ...SAMPLE_SETTINGS, scanner: { mode: 'hidpos' as const, deviceId: '0c2e:0b61' } };
    expect(settingsPatchFor(SettingsPatchSchema.parse({ scanner: { mode: 'keyboard' } }), current)).toEqual({
      scanner: { mode: 'keyboard', deviceId: '0c2e:0b61' },
    });
    expect(settingsPatchFor(SettingsPatchSchema.parse({ scanner: { deviceId: null } }), current)).toEqual({
      scanner: { mode: 'hidpos', deviceId: null },
    });
    expect(settingsPatchFor(SettingsPatchSchema.parse({ language: 'ar' }), current)).toEqual({ language: 'ar' });
  });
});

describe('status:get', () => {
  it('carries the till clock figures, and the contract accepts an engine that reports none', async () => {
    const plain = { ...SAMPLE_STATUS, lastError: null };
    const clock = { clockSkewMs: 172_800_000, clockCheckedAt: '2026-03-03T09:00:00.000Z', clockWentBackMs: 0 };
    expect(await router({ status: () => ({ ...plain, ...clock }) })('status:get')).toMatchObject({ ok: true, value: clock });
    expect(await router({ status: () => ({ ...plain, clockSkewMs: null, clockCheckedAt: null }) })('status:get')).toMatchObject({
      ok: true,
      value: { clockSkewMs: null },
    });
    const none = await router({ status: () => plain })('status:get');
    expect(none.ok).toBe(true);
    expect(none.ok && none.value).not.toHaveProperty('clockSkewMs');
  });

  it("a last error's code is text, and the order it was about stays in main", async () => {
    const status = { ...SAMPLE_STATUS, lastError: { at: 'x', message: 'Server error', code: '5000', entityId: 'o1' } };
    expect(await router({ status: () => status })('status:get')).toMatchObject({
      ok: true,
      value: { lastError: { at: 'x', message: 'Server error', code: '5000' } },
    });
    const answer = await router({ status: () => status })('status:get');
    expect(JSON.stringify(answer)).not.toContain('o1');
  });
});
