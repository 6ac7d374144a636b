// The two update channels through the real router: the screen's sale signal reaches the update
// center, the state comes back in the contract's shape and is pushed as the `update` event;
// browser mode (no updates) answers "none" and ignores the signal.
import { describe, expect, it } from 'vitest';
import { createBridge } from '../../../main/ipc/bridge.ts';
import type { CallerInfo } from '../../../main/ipc/handle.ts';
import { createUpdateCenter } from '../../../main/update/update-center.ts';
import { fakeEngine } from '../../support/fake-bridge-engine.ts';

const OWN = 'app://pos-companion';
const page: CallerInfo = { url: `${OWN}/index.html`, isMainFrame: true };
const logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const app = { name: 'POS Companion', version: 't', shell: 'electron' as const, platform: 'linux' };

describe('update channels', () => {
  it('sale activity reaches the update center; the state is answered and pushed', async () => {
    let now = 1_000;
    const center = createUpdateCenter({ now: () => now });
    const bridge = createBridge({ engine: fakeEngine({}), trustedOrigins: [OWN], logger, clock: { now: () => now }, app, updates: center });
    const pushed: unknown[] = [];
    bridge.events.subscribe((event, payload) => {
      if (event === 'update') pushed.push(payload);
    });
    try {
      expect(await bridge.router.dispatch('app:sale-activity', [{ active: true }], page)).toEqual({ ok: true, value: { ok: true } });
      expect(center.sale()).toEqual({ active: true, at: 1_000 });
      now = 2_000;
      await bridge.router.dispatch('app:sale-activity', [{ active: false }], page);
      expect(center.sale()).toEqual({ active: false, at: 2_000 });
      expect(await bridge.router.dispatch('app:sale-activity', [{ active: 'yes' }], page)).toMatchObject({ ok: false });

      center.set({ state: 'ready', version: '1.2.0', waitingFor: 'pending', forced: false });
      expect(await bridge.router.dispatch('update:get-state', [], page)).toEqual({
        ok: true,
        value: { state: 'ready', version: '1.2.0', waitingFor: 'pending', forced: false },
      });
      expect(pushed).toEqual([{ state: 'ready', version: '1.2.0', waitingFor: 'pending', forced: false }]);
    } finally {
      bridge.close();
    }
  });

  it('without updates (browser mode): state none, the signal accepted and ignored', async () => {
    const bridge = createBridge({ engine: fakeEngine({}), trustedOrigins: [OWN], logger, clock: { now: () => 0 }, app });
    try {
      expect(await bridge.router.dispatch('update:get-state', [], page)).toEqual({
        ok: true,
        value: { state: 'none', version: null, waitingFor: null, forced: false },
      });
      expect(await bridge.router.dispatch('app:sale-activity', [{ active: true }], page)).toEqual({ ok: true, value: { ok: true } });
    } finally {
      bridge.close();
    }
  });
});
