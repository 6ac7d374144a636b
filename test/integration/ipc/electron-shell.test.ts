// The desktop shell as it ships (the esbuild bundle), loaded in plain Node with a recording
// stand-in for `electron` (no Electron binary here): window security settings, the IPC door,
// the app:// protocol, the session policy, keys under safeStorage, and a shutdown that waits for
// the engine before quitting.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import { buildMainAndPreload } from '../../../main/tools/build.ts';
import { contentSecurityPolicy } from '../../../main/web/security.ts';
import { createFakeElectron } from '../../support/fake-electron.ts';
import { openDescriptorsOn } from '../../support/open-files.ts';

const require = createRequire(import.meta.url);
let root: string;
let bundle: string;

beforeAll(async () => {
  // Inside the repository (build/ is ignored) so the bundle finds node_modules like the real app.
  const buildDir = join(import.meta.dirname, '../../../build');
  mkdirSync(buildDir, { recursive: true });
  root = mkdtempSync(join(buildDir, 'shell-test-'));
  await buildMainAndPreload(join(root, 'app'));
  bundle = join(root, 'app', 'main', 'index.cjs');
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>POS Companion</title>');
}, 60_000);
const dataDirs: string[] = [];
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

type LoadHook = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Loads a fresh copy of the bundle with `electron` and `node-hid` replaced. */
function loadShell(opts: { lock?: boolean; dataDir?: string } = {}) {
  const fake = createFakeElectron(opts);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pos-shell-data-'));
  dataDirs.push(dataDir);
  const fakeHid = {
    devicesAsync: async () => [],
    HIDAsync: {
      open: async () => {
        throw new Error('no device');
      },
    },
  };
  const mod = Module as unknown as { _load: LoadHook };
  const original = mod._load;
  mod._load = function (request, parent, isMain) {
    if (request === 'electron') return fake.electron;
    if (request === 'node-hid') return { __esModule: true, default: fakeHid, ...fakeHid };
    return original.call(this, request, parent, isMain);
  };
  const prevEnv = process.env.POS_COMPANION_DATA_DIR;
  process.env.POS_COMPANION_DATA_DIR = dataDir;
  try {
    delete require.cache[bundle];
    require(bundle);
  } finally {
    mod._load = original;
    if (prevEnv === undefined) delete process.env.POS_COMPANION_DATA_DIR;
    else process.env.POS_COMPANION_DATA_DIR = prevEnv;
  }
  return { ...fake, dataDir };
}

async function started() {
  const shell = loadShell();
  shell.ready();
  await expect.poll(() => shell.state.windows.length, { timeout: 20_000 }).toBe(1);
  return shell;
}

const frame = { url: 'app://pos-companion/index.html' };
const ownEvent = { senderFrame: frame, sender: { mainFrame: frame } };

async function shutdown(shell: ReturnType<typeof loadShell>) {
  const event = {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
  shell.emitApp('before-quit', event);
  await expect.poll(() => shell.state.quitCalls, { timeout: 20_000 }).toBe(1);
  return event;
}

describe('desktop shell bundle', () => {
  it('opens one sandboxed, isolated window on app:// with the preload beside it', async () => {
    const shell = await started();
    expect(shell.state.sandboxEnabled).toBe(true);
    expect(shell.state.userData).toBe(shell.dataDir);
    expect(shell.state.privilegedSchemes).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    const win = shell.state.windows[0]!;
    expect(win.url).toBe('app://pos-companion/index.html');
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(String(prefs.preload)).toBe(join(root, 'app', 'preload', 'index.cjs'));
    await shutdown(shell);
  });

  it('answers the own page through the router and refuses foreign or sub-frame senders', async () => {
    const shell = await started();
    const status = shell.state.handlers.get('status:get')!;
    expect(await status(ownEvent)).toMatchObject({ ok: true, value: { counts: { pending: 0 } } });
    expect(
      await status({ senderFrame: { url: 'https://evil.example/' }, sender: { mainFrame: { url: 'https://evil.example/' } } }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const sub = { url: 'app://pos-companion/index.html' };
    expect(await status({ senderFrame: sub, sender: { mainFrame: frame } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await status({ senderFrame: null, sender: { mainFrame: frame } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await status(ownEvent, { unexpected: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const info = await shell.state.handlers.get('app:info')!(ownEvent);
    expect(info).toMatchObject({ ok: true, value: { shell: 'electron', version: '0.0.0-test', dataDir: shell.dataDir } });
    // Every contract channel has a handler, and nothing else does.
    const { CHANNEL_NAMES } = await import('../../../preload/api.ts');
    expect([...shell.state.handlers.keys()].sort()).toEqual([...CHANNEL_NAMES].sort());
    await shutdown(shell);
  });

  it('stores keys through safeStorage: never as plain text on disk, never back to the page; both keys take the till live', async () => {
    // Gameball is a local simulator with these keys, so the till going live stays on this machine.
    const apiKey = 'live-api-key-value-9876543210';
    const key = 'live-secret-key-value-0123456789';
    const sim = await startSimulator({ apiKey, secretKey: key, rateLimit: false });
    const prevBase = process.env.GAMEBALL_BASE_URL;
    process.env.GAMEBALL_BASE_URL = sim.url;
    try {
      const shell = await started();
      const setKeys = shell.state.handlers.get('settings:set-keys')!;
      expect(await setKeys(ownEvent, { secretKey: key })).toEqual({
        ok: true,
        value: { apiKeySet: false, secretKeySet: true, training: true },
      });
      expect(await setKeys(ownEvent, { apiKey })).toEqual({ ok: true, value: { apiKeySet: true, secretKeySet: true, training: false } });
      // The shell's engine wrapper reports the mode as it is now, not as it was at start.
      expect(await shell.state.handlers.get('app:info')!(ownEvent)).toMatchObject({ ok: true, value: { training: false } });
      expect(await shell.state.handlers.get('settings:test-connection')!(ownEvent)).toMatchObject({ ok: true, value: { ok: true } });
      const settings = await shell.state.handlers.get('settings:get')!(ownEvent);
      expect(JSON.stringify(settings)).not.toContain(key);
      await shutdown(shell);
      // After the engine closed: no file in the data folder holds a key in the clear.
      const files = readdirSync(shell.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const bytes = readFileSync(join(f.parentPath, f.name));
        expect(bytes.includes(key) || bytes.includes(apiKey), f.name).toBe(false);
      }
    } finally {
      if (prevBase === undefined) delete process.env.GAMEBALL_BASE_URL;
      else process.env.GAMEBALL_BASE_URL = prevBase;
      await sim.close();
    }
  });

  it('one logger for the process: the engine writes through the one stream of the shell on the log file', async () => {
    const shell = await started();
    const log = join(shell.dataDir, 'logs', 'pos-companion.log');
    await expect.poll(() => (existsSync(log) ? readFileSync(log, 'utf8') : ''), { timeout: 10_000 }).toMatch(/desktop app started/);
    // A logger of the engine's own would be a second descriptor on the same file.
    const open = openDescriptorsOn(log);
    if (open !== null) expect(open).toBe(1);
    await shutdown(shell);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; name: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['engine started', 'desktop app started', 'desktop app stopped']));
    expect(lines.find((l) => l.msg === 'engine started')?.name).toBe('shell');
  });

  it('applies kiosk mode from the settings when the screen changes it', async () => {
    const shell = await started();
    expect(shell.state.windows[0]!.kiosk).toBe(false);
    const res = await shell.state.handlers.get('settings:update')!(ownEvent, { kiosk: true });
    expect(res).toMatchObject({ ok: true, value: { kiosk: true } });
    expect(shell.state.windows[0]!.kiosk).toBe(true);
    await shutdown(shell);
  });

  it('serves only the built screen on app://pos-companion, with the CSP', async () => {
    const shell = await started();
    const handler = shell.state.protocolHandlers.get('app')!;
    const page = await handler({ url: 'app://pos-companion/index.html', method: 'GET' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>POS Companion</title>');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    // A dot-dot path is normalised by the URL parser; the answer is never a file outside the screen.
    const escaped = await handler({ url: 'app://pos-companion/../../etc/hostname', method: 'GET' });
    expect(await escaped.text()).not.toBe(readFileSync('/etc/hostname', 'utf8'));
    expect((await handler({ url: 'app://pos-companion/%2e%2e/app/main/index.cjs', method: 'GET' })).status).not.toBe(200);
    expect((await handler({ url: 'app://pos-companion/assets%5c..%5c..%5capp%5cmain%5cindex.cjs', method: 'GET' })).status).toBe(400);
    expect((await handler({ url: 'app://other-host/index.html', method: 'GET' })).status).toBe(404);
    await shutdown(shell);
  });

  it('denies every permission, blocks foreign requests and navigation, and adds the CSP to responses', async () => {
    const shell = await started();
    const s = shell.state.session;
    let granted: boolean | undefined;
    s.permissionRequest!({}, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(s.permissionCheck!({}, 'hid')).toBe(false);
    expect(s.devicePermission!({})).toBe(false);
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      s.beforeRequest!({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('app://pos-companion/assets/x.js')).toBe(false);
    expect(decide('https://evil.example/x.js')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('ws://127.0.0.1:4477/ws')).toBe(true);
    let headers: Record<string, string[]> | undefined;
    s.headersReceived!(
      { responseHeaders: { 'X-Test': ['1'] } },
      (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders),
    );
    expect(headers?.['Content-Security-Policy']).toEqual([contentSecurityPolicy()]);

    // Every web contents: no new windows, no navigation away, no webviews.
    const listeners = new Map<string, (...a: unknown[]) => void>();
    let openHandler: (() => { action: string }) | undefined;
    const contents = {
      setWindowOpenHandler: (fn: () => { action: string }) => (openHandler = fn),
      on: (e: string, fn: (...a: unknown[]) => void) => listeners.set(e, fn),
    };
    shell.emitApp('web-contents-created', {}, contents);
    expect(openHandler?.()).toEqual({ action: 'deny' });
    const nav = (event: string, url: string) => {
      const ev = {
        prevented: false,
        url,
        preventDefault() {
          this.prevented = true;
        },
      };
      listeners.get(event)!(ev, url);
      return ev.prevented;
    };
    expect(nav('will-navigate', 'https://evil.example/')).toBe(true);
    expect(nav('will-navigate', 'app://pos-companion/index.html')).toBe(false);
    expect(nav('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(nav('will-attach-webview', 'app://pos-companion/')).toBe(true);
    await shutdown(shell);
  });

  it('saves only CSV and JSON exports made by its own page, through the save dialog', async () => {
    const shell = await started();
    const willDownload = shell.state.session.events.get('will-download')!;
    expect(willDownload).toBeTypeOf('function');
    const download = (url: string, filename: string, pageUrl = 'app://pos-companion/index.html') => {
      const item = {
        dialog: undefined as undefined | { defaultPath?: string; filters?: Array<{ extensions: string[] }> },
        savePath: undefined as string | undefined,
        getURL: () => url,
        getFilename: () => filename,
        setSaveDialogOptions(o: { defaultPath?: string; filters?: Array<{ extensions: string[] }> }) {
          this.dialog = o;
        },
        setSavePath(p: string) {
          this.savePath = p;
        },
        once() {},
      };
      const event = {
        prevented: false,
        preventDefault() {
          this.prevented = true;
        },
      };
      willDownload(event, item, { getURL: () => pageUrl });
      return { prevented: event.prevented, item };
    };

    const csv = download('blob:app://pos-companion/5f0c7f0e-1b7a-4b3e-9a51-3d2f1c0b9e11', 'pos-companion-orders-all.csv');
    expect(csv.prevented).toBe(false);
    // The cashier chooses where: a save dialog for that one type, never a path set by the page.
    expect(csv.item.savePath).toBeUndefined();
    expect(csv.item.dialog?.defaultPath).toBe(join('/tmp', 'pos-companion-orders-all.csv'));
    expect(csv.item.dialog?.filters).toEqual([{ name: 'CSV', extensions: ['csv'] }]);
    const json = download('blob:app://pos-companion/0a', 'orders.JSON');
    expect(json.prevented).toBe(false);
    expect(json.item.dialog?.filters).toEqual([{ name: 'JSON', extensions: ['json'] }]);
    // A name with folders in it keeps only its last part.
    expect(download('blob:app://pos-companion/0b', '../../.bashrc/x.csv').item.dialog?.defaultPath).toBe(join('/tmp', 'x.csv'));

    expect(download('blob:app://pos-companion/0c', 'payload.exe').prevented).toBe(true);
    expect(download('blob:app://pos-companion/0d', 'orders.csv.lnk').prevented).toBe(true);
    expect(download('blob:app://pos-companion/0e', '.csv').prevented).toBe(true);
    expect(download('https://evil.example/orders.csv', 'orders.csv').prevented).toBe(true);
    expect(download('blob:https://evil.example/0f', 'orders.csv').prevented).toBe(true);
    expect(download('app://pos-companion/orders.csv', 'orders.csv').prevented).toBe(true);
    expect(download('blob:app://pos-companion/10', 'orders.csv', 'https://evil.example/').prevented).toBe(true);
    await shutdown(shell);
  });

  it('before-quit holds the quit until the engine has closed, then quits once', async () => {
    const shell = await started();
    const first = await shutdown(shell);
    expect(first.prevented).toBe(true);
    expect(await shell.state.handlers.get('status:get')?.(ownEvent)).toBeUndefined(); // handlers removed
    const second = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    shell.emitApp('before-quit', second);
    expect(second.prevented).toBe(false);
  });

  it('a data folder it cannot use: the message in a window and exit 4, no crash and no till window', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pos-shell-file-'));
    dataDirs.push(parent);
    const notAFolder = join(parent, 'POS Companion');
    writeFileSync(notAFolder, 'a file where the data folder should be');
    const shell = loadShell({ dataDir: notAFolder });
    shell.ready();
    await expect.poll(() => shell.state.exitCode, { timeout: 20_000 }).toBe(4);
    expect(shell.state.errorBoxes).toEqual([
      {
        title: 'POS Companion cannot start',
        content: `The data folder ${notAFolder} is not a folder (a file is in its place or on its path): move that file away, or choose another folder with --data-dir or POS_COMPANION_DATA_DIR; nothing was changed.`,
      },
    ]);
    expect(shell.state.windows).toHaveLength(0);
  });

  it('a second instance quits at once and leaves the till to the first', () => {
    const shell = loadShell({ lock: false });
    expect(shell.state.quitCalls).toBe(1);
    expect(shell.state.windows).toHaveLength(0);
  });

  it('the preload bundle needs nothing but electron at run time', () => {
    const text = readFileSync(join(root, 'app', 'preload', 'index.cjs'), 'utf8');
    const required = [...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
  });
});
