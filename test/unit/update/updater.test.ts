// The updater wiring against a fake electron-updater object: configuration (never install on
// quit, never downgrade, the feed and channel from the settings), and an install only when the
// gate opens, once, with the state the status bar shows on the way.
import { afterEach, describe, expect, it } from 'vitest';
import type { UpdateState } from '../../../preload/api.ts';
import { createUpdateCenter } from '../../../main/update/update-center.ts';
import { DEFAULT_UPDATE_SETTING, type UpdateSetting } from '../../../main/update/settings.ts';
import { startUpdateController, type UpdateController, type UpdaterLike } from '../../../main/update/updater.ts';

const zero = { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 };

function fakeUpdater() {
  const listeners = new Map<string, Array<(...a: unknown[]) => void>>();
  const u = {
    autoDownload: false,
    autoInstallOnAppQuit: true,
    allowDowngrade: false,
    _channel: null as string | null,
    get channel() {
      return this._channel;
    },
    set channel(c: string | null) {
      // As electron-updater does: setting a channel allows a downgrade.
      this._channel = c;
      this.allowDowngrade = true;
    },
    feeds: [] as unknown[],
    checks: 0,
    installs: [] as Array<[boolean | undefined, boolean | undefined]>,
    setFeedURL(o: unknown) {
      u.feeds.push(o);
    },
    checkForUpdates() {
      u.checks += 1;
      return Promise.resolve(null);
    },
    quitAndInstall(silent?: boolean, run?: boolean) {
      u.installs.push([silent, run]);
    },
    on(event: string, l: (...a: unknown[]) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), l]);
      return u;
    },
    emit(event: string, ...args: unknown[]) {
      for (const l of listeners.get(event) ?? []) l(...args);
    },
  };
  return u;
}

const controllers: UpdateController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.stop();
});

function setup(setting: Partial<UpdateSetting> = {}) {
  const updater = fakeUpdater();
  let now = Date.UTC(2026, 11, 3, 12, 0);
  const clock = { now: () => now };
  const center = createUpdateCenter(clock);
  const states: UpdateState[] = [];
  center.onState((s) => states.push(s));
  const current: { setting: UpdateSetting; pending: number; minute: number } = {
    setting: { ...DEFAULT_UPDATE_SETTING, ...setting },
    pending: 0,
    minute: 14 * 60,
  };
  const events: string[] = [];
  const controller = startUpdateController({
    updater: updater as unknown as UpdaterLike,
    center,
    setting: () => current.setting,
    clearForce: () => {
      events.push('clear-force');
      current.setting = { ...current.setting, force: false };
    },
    status: () => ({ counts: { ...zero, pending: current.pending }, refundCounts: zero }),
    clock,
    minuteOfDay: () => current.minute,
    logger: { info: () => {}, warn: () => {} },
    beforeInstall: () => events.push(`before-install:${updater.installs.length}`),
    checkEveryMs: 3600_000,
    gateEveryMs: 3600_000,
  });
  controllers.push(controller);
  return { updater, center, states, current, events, controller, advance: (ms: number) => (now += ms) };
}

describe('update controller', () => {
  it('configures the updater: background download, never on quit, never a downgrade; checks at start', () => {
    const { updater } = setup();
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.feeds).toEqual([]);
    expect(updater.checks).toBe(1);
  });

  it('update.url and update.channel: the generic feed set from the settings, and still no downgrade', () => {
    const a = setup({ url: 'https://updates.example.com/pos', channel: 'beta' });
    expect(a.updater.feeds).toEqual([{ provider: 'generic', url: 'https://updates.example.com/pos', channel: 'beta' }]);
    expect(a.updater.allowDowngrade).toBe(false);
    const b = setup({ channel: 'beta' });
    expect(b.updater.channel).toBe('beta');
    expect(b.updater.allowDowngrade).toBe(false);
  });

  it('updates disabled: no check', async () => {
    const { updater, controller } = setup({ enabled: false });
    await controller.check();
    expect(updater.checks).toBe(0);
  });

  it('a downloaded update waits for the queue, shows what it waits for, then installs once when it empties', () => {
    const { updater, states, current, events, controller } = setup();
    current.pending = 2;
    updater.emit('update-available', { version: '1.2.0' });
    expect(states.at(-1)).toEqual({ state: 'downloading', version: '1.2.0', waitingFor: null, forced: false });
    updater.emit('update-downloaded', { version: '1.2.0' });
    expect(updater.installs).toEqual([]);
    expect(states.at(-1)).toEqual({ state: 'ready', version: '1.2.0', waitingFor: 'pending', forced: false });

    current.pending = 0;
    expect(controller.evaluate()).toEqual({ install: true, because: 'queue-empty' });
    expect(updater.installs).toEqual([[true, true]]);
    expect(events).toEqual(['before-install:0']);
    expect(states.at(-1)).toMatchObject({ state: 'installing', version: '1.2.0' });
    expect(controller.evaluate()).toBeNull();
    expect(updater.installs).toHaveLength(1);
  });

  it('a sale in progress holds it; the end of the sale installs it at once', () => {
    const { updater, center, states } = setup();
    center.saleActivity(true);
    updater.emit('update-downloaded', { version: '1.3.0' });
    expect(states.at(-1)).toMatchObject({ state: 'ready', waitingFor: 'sale-in-progress' });
    expect(updater.installs).toEqual([]);
    center.saleActivity(false);
    expect(updater.installs).toEqual([[true, true]]);
  });

  it('forced by IT: installs with orders queued, and the force is cleared before the install', () => {
    const { updater, current, events } = setup();
    current.pending = 9;
    updater.emit('update-downloaded', { version: '2.0.0' });
    expect(updater.installs).toEqual([]);
    current.setting = { ...current.setting, force: true };
    updater.emit('update-downloaded', { version: '2.0.0' });
    expect(updater.installs).toHaveLength(1);
    expect(events).toEqual(['clear-force', 'before-install:0']);
  });

  it('quiet window: waits outside it, installs inside it', () => {
    const { updater, current, states, controller } = setup({ quietHours: '23:00-02:00' });
    updater.emit('update-downloaded', { version: '1.4.0' });
    expect(states.at(-1)).toMatchObject({ waitingFor: 'outside-quiet-hours' });
    current.minute = 60;
    current.pending = 3;
    expect(controller.evaluate()).toEqual({ install: true, because: 'quiet-hours' });
    expect(updater.installs).toHaveLength(1);
  });

  it('nothing downloaded: nothing to decide', () => {
    const { controller, updater } = setup();
    expect(controller.evaluate()).toBeNull();
    updater.emit('error', new Error('offline'));
    expect(updater.installs).toEqual([]);
  });
});
