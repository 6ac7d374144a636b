// A recording stand-in for the `electron` module, so the bundled shell (build/app/main/index.cjs)
// can be loaded and driven in plain Node: it records windows, IPC handlers, protocol handlers,
// session policies and app events. Only what the shell uses exists; anything else is undefined
// and fails loudly when touched.
import { readFileSync } from 'node:fs';
type Listener = (...args: unknown[]) => unknown;

export interface FakeWindow {
  options: Record<string, unknown>;
  url?: string;
  kiosk: boolean;
  destroyed: boolean;
  sent: Array<{ channel: string; payload: unknown }>;
  hidden: boolean;
  listeners: Map<string, Listener[]>;
}

export interface FakeTray {
  /** The image the tray was made with: a file's path, or the data URL of the fallback. */
  image: { path?: string; url?: string };
  tooltip?: string;
  /** The last context menu's template. */
  menu: Array<{ label?: string; type?: string; enabled?: boolean; click?: () => void }>;
  listeners: Map<string, Listener>;
  destroyed: boolean;
}

function isReadablePng(path: string): boolean {
  try {
    return readFileSync(path).subarray(1, 4).toString('latin1') === 'PNG';
  } catch {
    return false;
  }
}

export function createFakeElectron(opts: { lock?: boolean; packaged?: boolean } = {}) {
  const appListeners = new Map<string, Listener[]>();
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const state = {
    quitCalls: 0,
    exitCode: undefined as number | undefined,
    handlers: new Map<string, Listener>(),
    protocolHandlers: new Map<string, (req: { url: string; method: string }) => Promise<Response>>(),
    privilegedSchemes: [] as unknown[],
    windows: [] as FakeWindow[],
    session: {
      permissionRequest: undefined as undefined | Listener,
      permissionCheck: undefined as undefined | Listener,
      devicePermission: undefined as undefined | Listener,
      beforeRequest: undefined as undefined | Listener,
      headersReceived: undefined as undefined | Listener,
      events: new Map<string, Listener>(),
    },
    sandboxEnabled: false,
    userData: undefined as string | undefined,
    errorBoxes: [] as Array<{ title: string; content: string }>,
    /** Every message box shown, and the button index each next one answers (default 0). */
    messageBoxes: [] as Array<Record<string, unknown>>,
    messageBoxAnswers: [] as number[],
    trays: [] as FakeTray[],
    loginItems: [] as Array<{ openAtLogin: boolean }>,
  };

  const app = {
    isPackaged: opts.packaged ?? false,
    on(event: string, l: Listener) {
      appListeners.set(event, [...(appListeners.get(event) ?? []), l]);
      return app;
    },
    emit(event: string, ...args: unknown[]) {
      for (const l of appListeners.get(event) ?? []) l(...args);
    },
    whenReady: () => ready,
    requestSingleInstanceLock: () => opts.lock ?? true,
    enableSandbox: () => {
      state.sandboxEnabled = true;
    },
    quit: () => {
      state.quitCalls += 1;
    },
    exit: (code: number) => {
      state.exitCode = code;
    },
    getVersion: () => '0.0.0-test',
    getPath: (name: string) => (name === 'home' ? '/home/test' : '/tmp'),
    setPath: (name: string, value: string) => {
      if (name === 'userData') state.userData = value;
    },
    getLoginItemSettings: () => ({ openAtLogin: false }),
    setLoginItemSettings: (settings: { openAtLogin: boolean }) => {
      state.loginItems.push(settings);
    },
  };

  class BrowserWindow {
    private readonly rec: FakeWindow;
    readonly webContents: { send: (c: string, p: unknown) => void; isDestroyed: () => boolean };
    constructor(options: Record<string, unknown>) {
      this.rec = { options, kiosk: options.kiosk === true, destroyed: false, sent: [], hidden: false, listeners: new Map() };
      state.windows.push(this.rec);
      this.webContents = { send: (channel, payload) => this.rec.sent.push({ channel, payload }), isDestroyed: () => this.rec.destroyed };
    }
    once() {}
    on(event: string, l: Listener) {
      this.rec.listeners.set(event, [...(this.rec.listeners.get(event) ?? []), l]);
      return this;
    }
    hide() {
      this.rec.hidden = true;
    }
    loadURL(url: string) {
      this.rec.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return this.rec.destroyed;
    }
    isKiosk() {
      return this.rec.kiosk;
    }
    setKiosk(on: boolean) {
      this.rec.kiosk = on;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {}
    show() {
      this.rec.hidden = false;
    }
  }

  const s = state.session;
  const electron = {
    app,
    BrowserWindow,
    dialog: {
      showErrorBox: (title: string, content: string) => state.errorBoxes.push({ title, content }),
      showMessageBox: (_win: unknown, options: Record<string, unknown>) => {
        state.messageBoxes.push(options);
        return Promise.resolve({ response: state.messageBoxAnswers.shift() ?? 0 });
      },
    },
    Menu: { setApplicationMenu: () => {}, buildFromTemplate: (template: FakeTray['menu']) => ({ template }) },
    nativeImage: {
      createFromDataURL: (url: string) => ({ url, isEmpty: () => false }),
      // As Electron's: an image that cannot be read is empty rather than an error.
      createFromPath: (path: string) => ({ path, isEmpty: () => !isReadablePng(path) }),
    },
    Tray: class {
      private readonly rec: FakeTray;
      constructor(image: { path?: string; url?: string }) {
        this.rec = {
          image: image.path !== undefined ? { path: image.path } : { url: image.url as string },
          menu: [],
          listeners: new Map(),
          destroyed: false,
        };
        state.trays.push(this.rec);
      }
      setToolTip(t: string) {
        this.rec.tooltip = t;
      }
      setContextMenu(m: { template: FakeTray['menu'] }) {
        this.rec.menu = m.template;
      }
      on(event: string, l: Listener) {
        this.rec.listeners.set(event, l);
      }
      destroy() {
        this.rec.destroyed = true;
      }
    },
    ipcMain: {
      handle: (channel: string, fn: Listener) => state.handlers.set(channel, fn),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privilegedSchemes.push(...schemes),
      handle: (scheme: string, fn: (req: { url: string; method: string }) => Promise<Response>) => state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (s.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => (s.permissionCheck = fn),
        setDevicePermissionHandler: (fn: Listener) => (s.devicePermission = fn),
        on: (event: string, fn: Listener) => s.events.set(event, fn),
        webRequest: {
          onBeforeRequest: (fn: Listener) => (s.beforeRequest = fn),
          onHeadersReceived: (fn: Listener) => (s.headersReceived = fn),
        },
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a),
      decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
    },
  };
  return { electron, state, ready: () => resolveReady(), emitApp: app.emit };
}
