// The Electron shell, and only the shell: lifecycle, the one window, its security, and the IPC
// adapter. Everything the till does lives in the engine (main/engine.ts), which knows nothing of
// Electron. Order of start: single-instance lock -> engine (keys under safeStorage) -> scanner ->
// bridge -> window. Order of stop (before-quit): stop answering the screen, stop the scanner, let
// the engine finish the write in progress and close the database, then quit.
import { join } from 'node:path';
import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import { systemClock } from './clock.ts';
import { DataFolderError } from './data-folder.ts';
import { DatabaseTooNewError } from './db/database.ts';
import { restrictNewFiles } from './config/private-files.ts';
import { databaseFile, resolveDataFolder } from './db/paths.ts';
import { createNodeSecretCipher, MASTER_KEY_FILE_ENV } from './config/node-cipher.ts';
import { setLeftoverAside } from './machine-folder.ts';
import { provisionAtStart } from './provision/at-start.ts';
import { createUpdateCenter } from './update/update-center.ts';
import { createEngine, type Engine } from './engine.ts';
import { createBridge, type Bridge } from './ipc/bridge.ts';
import { startIntegrationApi } from './integration/start.ts';
import type { RunningApiServer } from './integration/api-server.ts';
import { scannerPortFrom } from './ipc/scanner-port.ts';
import { closeLogger, createLogger, silentLogger, type Logger } from './log.ts';
import { createNodeHidTransport } from './scanner/node-hid-transport.ts';
import { createScannerService, scannerConfigFrom, type ScannerService } from './scanner/service.ts';
import { gameballSync } from './sync/wiring.ts';
import { APP_ENTRY, APP_ORIGIN, registerAppScheme, serveAppProtocol } from './electron/app-protocol.ts';
import { handleDownloads } from './electron/downloads.ts';
import { hardenAllContents, hardenSession } from './electron/harden.ts';
import { bindIpc } from './electron/ipc-adapter.ts';
import { createSafeStorageCipher } from './electron/safe-storage-cipher.ts';
import { applyShellSettings, withShellSettings } from './electron/shell-settings.ts';
import { startAutoUpdate } from './electron/auto-update.ts';
import { createQuitGuard, type QuitGuard } from './electron/keep-syncing.ts';
import { shellTexts } from './electron/shell-texts.ts';

// Bundled to build/app/main/index.cjs: the preload and the screen sit beside it in build/.
const PRELOAD = join(__dirname, '..', 'preload', 'index.cjs');
const RENDERER_DIR = join(__dirname, '..', '..', 'renderer');

/** `--data-dir=DIR` / `--data-dir DIR` on the command line (tests, support), else the usual folder. */
function dataDirFlag(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  if (i < 0) return undefined;
  const arg = argv[i] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

// A till installed for all users keeps its queue in the machine folder (main/machine-folder.ts);
// Chromium's own profile (its cookies, safeStorage's key) stays in the account's folder.
const folder = resolveDataFolder({ flag: dataDirFlag(process.argv), env: process.env, home: app.getPath('home') });
const dataDir = folder.dir;
app.setPath('userData', folder.mode === 'per-machine' ? folder.userDir : dataDir);
// Before Electron or the log write anything into the data folder: private to this user.
restrictNewFiles();
// Created once this process holds the single-instance lock: a second instance touches no file.
let logger: Logger = silentLogger();

let engine: Engine | undefined;
/** The local integration API the store's POS posts sales to (docs/local-api.md); null when off. */
let integrationApi: RunningApiServer | null = null;
let scanner: ScannerService | undefined;
let bridge: Bridge | undefined;
let unbindIpc: (() => void) | undefined;
let mainWindow: BrowserWindow | undefined;
let shutdown: 'running' | 'stopping' | 'done' = 'running';
let quitGuard: QuitGuard | undefined;
let stopUpdates: (() => void) | undefined;
const updates = createUpdateCenter(systemClock);

function createWindow(kiosk: boolean): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    kiosk,
    title: 'POS Companion',
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    // Linux takes the window's icon from here; Windows and macOS from the packaged executable.
    ...(process.platform === 'linux' ? { icon: join(RENDERER_DIR, 'icon-256.png') } : {}),
    webPreferences: {
      // The preload exposes named contract functions only (preload/index.ts); reviewed.
      preload: PRELOAD, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // A middle click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick',
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  void win.loadURL(APP_ENTRY);
  return win;
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  handleDownloads(session.defaultSession, logger);
  serveAppProtocol(RENDERER_DIR);
  Menu.setApplicationMenu(null);

  // The shell's logger is the process's one logger: the engine writes through it and adds its keys
  // to the scrubber (a logger of its own would be a second stream on the same file).
  // Keys under safeStorage belong to one account; a per-machine till shared by several accounts
  // uses the machine's master key file when IT set one (docs/rollout.md).
  const machineKeys = folder.mode === 'per-machine' && Boolean(process.env[MASTER_KEY_FILE_ENV]?.trim());
  const secretCipher = machineKeys ? createNodeSecretCipher({ dataDir }) : createSafeStorageCipher();
  engine = await createEngine({
    dataDir,
    secretCipher,
    logger,
    sync: gameballSync(),
    scannerState: () => scanner?.getState().code,
  });
  for (const notice of engine.notices) logger.warn({ code: notice.code }, notice.message);
  onMachineFolder(engine);
  const provisioned = provisionAtStart({ dataDir, env: process.env, till: engine, now: systemClock.now });
  if (provisioned.kind === 'applied')
    logger.info({ source: provisioned.source, settings: provisioned.settings, keys: provisioned.keys }, 'provisioning applied');
  if (provisioned.kind === 'refused') logger.error({ source: provisioned.source }, provisioned.message);
  const settings = engine.getSettings();

  scanner = createScannerService({
    transport: createNodeHidTransport(),
    clock: systemClock,
    logger,
    config: scannerConfigFrom(settings, process.platform),
  });
  scanner.start();

  bridge = createBridge({
    engine: withShellSettings(engine, () => mainWindow),
    scanner: scannerPortFrom(scanner),
    trustedOrigins: [APP_ORIGIN],
    logger,
    clock: systemClock,
    app: { name: 'POS Companion', version: app.getVersion(), shell: 'electron', platform: process.platform },
    updates,
  });
  unbindIpc = bindIpc(bridge, () => (mainWindow ? [mainWindow] : []));

  const running = engine;
  quitGuard = createQuitGuard({
    status: () => running.status(),
    texts: () => shellTexts(running.getSettings().language),
    trayIcon: join(RENDERER_DIR, 'tray.png'),
    onError: (err) => logger.error({ err }, 'close question failed'),
  });
  running.onStatus((s) => quitGuard?.statusChanged(s));
  mainWindow = createWindow(settings.kiosk);
  quitGuard.attach(mainWindow);
  applyShellSettings(settings, mainWindow);
  logger.info({ dataDir, installMode: folder.mode, training: engine.training }, 'desktop app started');
  integrationApi = (await startIntegrationApi({ engine, logger })).api;

  // electron-updater reads the feed built into an installed app: a dev checkout has none.
  if (app.isPackaged) {
    startAutoUpdate({
      engine: running,
      dbFile: databaseFile(dataDir),
      center: updates,
      clock: systemClock,
      logger,
      beforeInstall: () => quitGuard?.deliberate(),
    })
      .then((stop) => (stopUpdates = stop))
      .catch((err: unknown) => logger.error({ err }, 'updates could not start'));
  }
}

/** Logs what choosing the data folder did; merges a second account's own queue into the machine folder's. */
function onMachineFolder(e: Engine): void {
  const adopt = folder.adopt;
  if (adopt.kind === 'moved')
    logger.info({ from: adopt.from, to: dataDir, files: adopt.files }, 'per-user queue moved to the per-machine folder');
  if (adopt.kind === 'failed')
    logger.error(
      { userDir: folder.userDir, reason: adopt.reason },
      'could not move the per-user queue to the per-machine folder: still using the per-user one',
    );
  if (adopt.kind !== 'leftover') return;
  try {
    // Owed orders come back marked for a look-up at Gameball first, so none is sent twice.
    const report = e.recoverFrom(adopt.file);
    setLeftoverAside(folder.userDir, dataDir);
    logger.info(
      { from: adopt.file, orders: report.orders, refunds: report.refunds },
      "this account's own queue merged into the per-machine folder",
    );
  } catch (err) {
    logger.error({ from: adopt.file, err }, "could not merge this account's own queue into the per-machine folder; it is left where it is");
  }
}

async function stop(): Promise<void> {
  stopUpdates?.();
  quitGuard?.destroy();
  await integrationApi?.close();
  bridge?.close();
  unbindIpc?.();
  await scanner?.stop();
  // Waits for a write in progress and an in-flight Gameball call's outcome, then closes the db.
  await engine?.close();
  logger.info({}, 'desktop app stopped');
  await closeLogger(logger);
}

registerAppScheme();
hardenAllContents();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another window of the app is already open on this till: it gets the focus instead.
  app.quit();
} else {
  logger = createLogger({ file: join(dataDir, 'logs', 'pos-companion.log'), name: 'shell' });
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('before-quit', (event) => {
    // Whatever asked for the quit (the tray's Quit, an update, the system), windows now close without a question.
    quitGuard?.deliberate();
    if (shutdown === 'done') return;
    event.preventDefault();
    if (shutdown === 'stopping') return;
    shutdown = 'stopping';
    stop()
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => {
        shutdown = 'done';
        app.quit();
      });
  });

  // A till app: closing its window quits it, on macOS too (nothing runs without the screen).
  app.on('window-all-closed', () => app.quit());

  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      logger.error({ err }, 'desktop app failed to start');
      // A condition of the till (its data folder, a database from a newer version) is said in its
      // own words; anything else points to the log. Either way a window says it, not a crash.
      const known = err instanceof DataFolderError || err instanceof DatabaseTooNewError;
      const text = known
        ? err.message
        : `POS Companion could not start. The details are in the log: ${join(dataDir, 'logs', 'pos-companion.log')}`;
      dialog.showErrorBox('POS Companion cannot start', text);
      void closeLogger(logger).finally(() => app.exit(err instanceof DataFolderError ? err.exitCode : 1));
    });
}
