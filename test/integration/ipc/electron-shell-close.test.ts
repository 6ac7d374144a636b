// The desktop shell's "never quit with orders pending by accident", against the electron
// stand-in: the bundle as it ships, a real engine on a real data folder, Gameball unreachable so
// an order stays owed. Closing the window asks; "keep syncing" hides it behind a tray with the
// status, Open and Quit; the tray's Quit asks again; nothing owed closes at once. Also: the
// provisioning file the app picks up at start, and the update channels answered in the shell.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMainAndPreload } from '../../../main/tools/build.ts';
import { createFakeElectron } from '../../support/fake-electron.ts';

const require = createRequire(import.meta.url);
let root: string;
let bundle: string;
const dataDirs: string[] = [];

// Live mode against a Gameball that never answers (read when the engine starts): orders stay owed.
const LIVE_ENV = {
  GAMEBALL_API_KEY: 'shell-close-api-key-1',
  GAMEBALL_SECRET_KEY: 'shell-close-secret-key-1',
  GAMEBALL_BASE_URL: 'http://127.0.0.1:9',
};
const savedEnv = Object.fromEntries(Object.keys(LIVE_ENV).map((k) => [k, process.env[k]]));

beforeAll(async () => {
  Object.assign(process.env, LIVE_ENV);
  const buildDir = join(import.meta.dirname, '../../../build');
  mkdirSync(buildDir, { recursive: true });
  root = mkdtempSync(join(buildDir, 'shell-close-test-'));
  await buildMainAndPreload(join(root, 'app'));
  bundle = join(root, 'app', 'main', 'index.cjs');
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>POS Companion</title>');
  copyFileSync(join(import.meta.dirname, '../../../renderer/public/tray.png'), join(root, 'renderer', 'tray.png'));
}, 60_000);
afterAll(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(root, { recursive: true, force: true });
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

type LoadHook = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Loads the bundle with `electron` and `node-hid` replaced. */
function loadShell(dataDir = mkdtempSync(join(tmpdir(), 'pos-shell-close-'))) {
  dataDirs.push(dataDir);
  const fake = createFakeElectron();
  const fakeHid = { devicesAsync: async () => [], HIDAsync: { open: async () => Promise.reject(new Error('no device')) } };
  const mod = Module as unknown as { _load: LoadHook };
  const original = mod._load;
  mod._load = function (request, parent, isMain) {
    if (request === 'electron') return fake.electron;
    if (request === 'node-hid') return { __esModule: true, default: fakeHid, ...fakeHid };
    return original.call(this, request, parent, isMain);
  };
  const env = { POS_COMPANION_DATA_DIR: dataDir };
  const prev = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    delete require.cache[bundle];
    require(bundle);
  } finally {
    mod._load = original;
    for (const [k, v] of Object.entries(prev)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { ...fake, dataDir };
}

const frame = { url: 'app://pos-companion/index.html' };
const ownEvent = { senderFrame: frame, sender: { mainFrame: frame } };

async function started(dataDir?: string) {
  const shell = loadShell(dataDir);
  shell.ready();
  await expect.poll(() => shell.state.windows.length, { timeout: 20_000 }).toBe(1);
  await expect.poll(() => shell.state.windows[0]!.listeners.has('close'), { timeout: 5_000 }).toBe(true);
  return shell;
}

function closeWindow(shell: Awaited<ReturnType<typeof started>>) {
  const event = {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
  for (const l of shell.state.windows[0]!.listeners.get('close') ?? []) l(event);
  return event;
}

async function shutdown(shell: Awaited<ReturnType<typeof started>>) {
  const quitsBefore = shell.state.quitCalls;
  shell.emitApp('before-quit', { preventDefault() {} });
  await expect.poll(() => shell.state.quitCalls, { timeout: 20_000 }).toBe(quitsBefore + 1);
}

async function captureOne(shell: Awaited<ReturnType<typeof started>>) {
  const res = await shell.state.handlers.get('orders:capture')!(ownEvent, {
    customer: { mobile: '0500001234' },
    currency: 'SAR',
    totalPaidMinor: 1000,
  });
  expect(res).toMatchObject({ ok: true });
}

describe('closing the till with orders pending', () => {
  it('nothing owed: the window closes at once, no question', async () => {
    const shell = await started();
    expect(closeWindow(shell).prevented).toBe(false);
    expect(shell.state.messageBoxes).toEqual([]);
    await shutdown(shell);
  });

  it('asks; "keep syncing" hides the window behind a tray with the status, Open and Quit; the tray Quit asks again', async () => {
    const shell = await started();
    await captureOne(shell);
    shell.state.messageBoxAnswers.push(0); // keep syncing
    expect(closeWindow(shell).prevented).toBe(true);
    await expect.poll(() => shell.state.windows[0]!.hidden).toBe(true);
    expect(shell.state.messageBoxes[0]).toMatchObject({
      message: '1 order is still waiting to be sent to Gameball.',
      buttons: ['Keep syncing in the background', 'Quit anyway', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
    });
    expect(shell.state.quitCalls).toBe(0);
    const tray = shell.state.trays[0]!;
    // The app's own icon, from the screen's files the app ships.
    expect(tray.image).toEqual({ path: join(root, 'renderer', 'tray.png') });
    expect(tray.tooltip).toBe('POS Companion: 1 order waiting');
    expect(tray.menu.map((i) => i.label ?? i.type)).toEqual(['1 order waiting', 'separator', 'Open POS Companion', 'Quit']);

    tray.menu[2]!.click!();
    expect(shell.state.windows[0]!.hidden).toBe(false);

    // The tray's Quit with an order owed: asked again; "keep syncing" keeps it running.
    shell.state.messageBoxAnswers.push(1);
    tray.menu[3]!.click!();
    await expect.poll(() => shell.state.messageBoxes.length).toBe(2);
    expect(shell.state.messageBoxes[1]).toMatchObject({ buttons: ['Quit anyway', 'Keep syncing in the background'], defaultId: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(shell.state.quitCalls).toBe(0);
    // "Quit anyway": the app quits, and the closing window is not asked about again.
    shell.state.messageBoxAnswers.push(0);
    tray.menu[3]!.click!();
    await expect.poll(() => shell.state.quitCalls).toBe(1);
    await shutdown(shell);
    expect(closeWindow(shell).prevented).toBe(false);
    expect(shell.state.messageBoxes).toHaveLength(3);
  });

  it('"cancel" keeps the window open; "quit anyway" quits; the question is in the till\'s language', async () => {
    const shell = await started();
    await captureOne(shell);
    await shell.state.handlers.get('settings:update')!(ownEvent, { language: 'ar' });
    shell.state.messageBoxAnswers.push(2);
    expect(closeWindow(shell).prevented).toBe(true);
    await expect.poll(() => shell.state.messageBoxes.length).toBe(1);
    expect(shell.state.messageBoxes[0]).toMatchObject({
      message: 'ما زال طلب واحد بانتظار الإرسال إلى Gameball.',
      buttons: ['متابعة المزامنة في الخلفية', 'إغلاق على أي حال', 'إلغاء'],
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(shell.state.windows[0]!.hidden).toBe(false);
    expect(shell.state.quitCalls).toBe(0);

    shell.state.messageBoxAnswers.push(1);
    expect(closeWindow(shell).prevented).toBe(true);
    await expect.poll(() => shell.state.messageBoxes.length).toBe(2);
    await expect.poll(() => shell.state.quitCalls).toBe(1);
    await shutdown(shell);
  });
});

describe('the shell at start', () => {
  it('applies <data folder>/provision.json once and removes its keys; update channels answer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pos-shell-provision-'));
    writeFileSync(
      join(dataDir, 'provision.json'),
      JSON.stringify({ store: { id: 'store-9' }, language: 'ar', update: { channel: 'beta' } }),
    );
    const shell = await started(dataDir);
    expect(await shell.state.handlers.get('settings:get')!(ownEvent)).toMatchObject({
      ok: true,
      value: { storeId: 'store-9', language: 'ar' },
    });
    expect(existsSync(join(dataDir, 'provision.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dataDir, 'provisioned.json'), 'utf8'))).toMatchObject({
      settings: expect.arrayContaining(['storeId']),
    });
    expect(await shell.state.handlers.get('app:sale-activity')!(ownEvent, { active: true })).toEqual({ ok: true, value: { ok: true } });
    // A dev (unpackaged) app never loads the updater: nothing to show.
    expect(await shell.state.handlers.get('update:get-state')!(ownEvent)).toEqual({
      ok: true,
      value: { state: 'none', version: null, waitingFor: null, forced: false },
    });
    expect(shell.state.loginItems).toEqual([]);
    await shutdown(shell);
  });
});
