// A recording stand-in for the `electron` module, so the bundled shell (build/app/main/index.cjs)
// can be loaded and driven in plain Node: it records windows, IPC handlers, protocol handlers,
// session policies and app events. Only what the shell uses exists; anything else is undefined
// and fails loudly when touched.
type Listener = (...args: unknown[]) => unknown;

export interface FakeWindow {
  options: Record<string, unknown>;
  url?: string;
  kiosk: boolean;
  destroyed: boolean;
  sent: Array<{ channel: string; payload: unknown }>;
}

export function createFakeElectron(opts: { lock?: boolean } = {}) {
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
  };

  const app = {
    isPackaged: false,
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
    setLoginItemSettings: () => {},
  };

  class BrowserWindow {
    private readonly rec: FakeWindow;
    readonly webContents: { send: (c: string, p: unknown) => void; isDestroyed: () => boolean };
    constructor(options: Record<string, unknown>) {
      this.rec = { options, kiosk: options.kiosk === true, destroyed: false, sent: [] };
      state.windows.push(this.rec);
      this.webContents = { send: (channel, payload) => this.rec.sent.push({ channel, payload }), isDestroyed: () => this.rec.destroyed };
    }
    once() {}
    on() {}
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
    show() {}
  }

  const s = state.session;
  const electron = {
    app,
    BrowserWindow,
    dialog: {
      showErrorBox: (title: string, content: string) => state.errorBoxes.push({ title, content }),
    },
    Menu: { setApplicationMenu: () => {} },
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
