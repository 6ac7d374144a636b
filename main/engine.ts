// The engine: the till without a screen. A composition root that needs no Electron: it opens the
// store, reads settings and keys, and wires capture, the queue and the sync engine together with
// the clock, logger and HTTP transport passed in. The desktop shell, browser mode and the CLI all
// use this one facade.
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { gameballKeySchema } from './config/keys.ts';
import { createNodeSecretCipher, MASTER_KEY_FILE_ENV } from './config/node-cipher.ts';
import { ensurePrivateDataDir } from './config/private-files.ts';
import type { SecretCipher } from './config/secrets.ts';
import { StorePin } from './config/store-pin.ts';
import type { Settings } from './config/settings.ts';
import { asDataFolderError, checkDataFolder, DataFolderError, dataFolderMessage } from './data-folder.ts';
import { DatabaseDamagedError } from './db/database.ts';
import { isNoticeCode } from './db/notices.ts';
import type { TillNotice } from './db/notices.ts';
import { recoverInto } from './db/recover.ts';
import type { RecoveryReport } from './db/recover.ts';
import { addSecretValues, closeLogger, createLogger } from './log.ts';
import type { Logger } from './log.ts';
import { CaptureRefusedError, refusalFromZod } from './orders/errors.ts';
import { OrderStore } from './orders/order-store.ts';
import { OrderQueue } from './orders/queue.ts';
import { ReferralChecker } from './orders/referral.ts';
import { LoyaltyService } from './loyalty/customer-service.ts';
import { PointsDesk } from './loyalty/points-desk.ts';
import type { Points } from './loyalty/points-desk.ts';
import { ExportQuerySchema } from './orders/schemas.ts';
import { noSync } from './sync/port.ts';
import type { SyncContext, SyncFactory, SyncPart } from './sync/port.ts';
import { StatusFeed, StatusReader } from './sync/status.ts';
import { startFleetPush } from './fleet/push-timer.ts';
import type { FleetPush } from './fleet/push-timer.ts';
import type { ScannerStateCode } from './scanner/service.ts';
import { appVersion } from './app-version.ts';
import { tillGameballSetup } from './gameball/config.ts';
import { DatabaseHealth, openTillStore, seriousNotices } from './till-store.ts';
import { SaleIntake } from './integration/intake.ts';
import type { Sales } from './integration/intake.ts';
import { FolderImport, inboxFolder } from './integration/folder-import.ts';
import type { TillStore } from './till-store.ts';
import type {
  CapturedOrder,
  CapturedRefund,
  ExportQuery,
  OrderDetail,
  OrderList,
  OrderListQuery,
  OrderView,
  ReferralCheck,
  ReferralCheckInput,
  SyncStatus,
} from './orders/schemas.ts';
import { z } from 'zod';

export { CaptureRefusedError, DatabaseDamagedError };
export type { TillNotice, RecoveryReport };
// The sync port, for callers that know the engine only.
export { noSync };
export type { SyncContext, SyncFactory, SyncPart };

export interface EngineOptions {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Electron passes a safeStorage cipher; plain Node picks an OS key store (may be unavailable). */
  secretCipher?: SecretCipher | null;
  /**
   * Default: the `trainingMode` setting, whose auto means training while a key is neither stored
   * nor in the environment (a stored key this process cannot read still makes the till live).
   * 'auto': the same, whatever the setting. A boolean fixes the mode.
   * Unless fixed, the mode is read again whenever the keys or the settings change.
   */
  training?: 'auto' | boolean;
  /** Start the background sync (default true). The CLI's one-shot commands pass false. */
  startSync?: boolean;
  /** Environment for key/base-URL overrides (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * The sync part: the entry points pass the Gameball sync (main/sync/wiring.ts), tests their own,
   * `noSync` none. Chosen by the caller so that the engine loads no Gameball or simulator code.
   */
  sync: SyncFactory;
  /**
   * What to do when opening finds the database damaged (and sets it right) or missing orders:
   * 'continue' (a screen, which shows the notices) or 'stop': close again and throw
   * DatabaseDamagedError with the whole story, so a one-shot command says so and exits instead of
   * quietly doing its work on a till that just lost something. Default: 'stop' when `startSync`
   * is false (the CLI's one-shot commands), else 'continue'.
   */
  onDatabaseProblem?: 'continue' | 'stop';
  /** How long after a change the -wal is copied into the main file (default 3 s; tests shorten it). */
  checkpointDelayMs?: number;
  /** The scanner service's state, for the fleet push, where the entry point runs one. */
  scannerState?: () => ScannerStateCode | undefined;
}

/** Stands in when a sync part could not be built: captures queue, the reason is told when asked. */
function unavailableSync(message: string): SyncPart {
  return {
    advisor: null,
    online: () => false,
    syncNow: () => {},
    testConnection: async () => ({ ok: false, message }),
    close: async () => {},
  };
}

// --- The facade ---------------------------------------------------------------------------------

export interface Engine {
  readonly dataDir: string;
  /**
   * true: talking to the built-in simulator; captures are marked training. Follows the keys and
   * the `trainingMode` setting while the engine runs (see whenModeSettled).
   */
  readonly training: boolean;
  /**
   * Problems found while opening (a damaged database set aside and recovered, a database restored
   * without its -wal, keys that cannot be stored) or later (a statement that met a damaged
   * database), for the screen to show. A screen also gets the problems a command found earlier that
   * no screen has shown yet.
   */
  readonly notices: readonly TillNotice[];
  captureOrder(input: unknown): CapturedOrder;
  /** The order a receipt read from its barcode was captured as, in the current mode (null: none, or discarded). */
  findReceipt(receiptKey: string): { orderId: string | null };
  /**
   * Sales from the store's POS (local API, folder import), keyed on their posSaleId: captured at
   * once with a customer, else pending on the checkout screen (main/integration/intake.ts).
   */
  readonly sales: Sales;
  captureRefund(input: unknown): CapturedRefund;
  /** Spending points: holds, their release, and the expired-hold choices (main/loyalty/points-desk.ts). */
  readonly points: Points;
  checkReferral(input: ReferralCheckInput): Promise<ReferralCheck>;
  listOrders(q: OrderListQuery): OrderList;
  getOrder(orderId: string): OrderDetail | undefined;
  retry(target: { orderId: string } | { all: true }): number;
  editAndResend(orderId: string, patch: unknown): OrderView;
  discard(orderId: string, reason: string): OrderView;
  exportOrders(q: ExportQuery): string;
  status(): SyncStatus;
  onStatus(listener: (s: SyncStatus) => void): () => void;
  getSettings(): Settings;
  updateSettings(patch: unknown): Settings;
  setKeys(keys: { apiKey?: string | null; secretKey?: string | null }): void;
  /**
   * The store PIN that guards export and key changes from the screen (main/ipc/routes.ts checks
   * it; the CLI, run by someone who can read the data folder anyway, does not).
   */
  readonly storePin: Pick<StorePin, 'isSet' | 'verify' | 'change' | 'reset'>;
  testConnection(): Promise<{ ok: boolean; message: string }>;
  /**
   * Resolves once the sync part runs for the current mode. setKeys and updateSettings switch the
   * mode at once (the next capture already has it) and swap the sync part in the background:
   * the old one stops first (requests in flight finish or are recorded as unknown), then the
   * new one starts. Never rejects.
   */
  whenModeSettled(): Promise<void>;
  syncNow(): void;
  /** Deletes synced orders older than the retention setting; returns how many. Runs daily by itself while syncing. */
  pruneNow(): number;
  /**
   * Copies every readable order and refund of a damaged database file (a moved-aside
   * `pos-companion.db.corrupt-*`, or a copy) into this till's queue; see main/db/recover.ts.
   * Idempotent. Refuses the live database itself and a file that does not exist.
   */
  recoverFrom(file: string): RecoveryReport;
  /** Loyalty at the checkout (main/loyalty/): the customer panel, coupons, the reward preview. Online only; never blocks a sale. */
  readonly loyalty: Pick<LoyaltyService, 'customer' | 'lockCoupon' | 'unlockCoupon' | 'preview'>;
  close(): Promise<void>;
}

const KeysSchema = z
  .object({
    apiKey: gameballKeySchema('apiKey').nullable().optional(),
    secretKey: gameballKeySchema('secretKey').nullable().optional(),
  })
  .strict();

const PRUNE_EVERY_MS = 6 * 3600_000;
/** Status events to the screen: at most one per this many ms. */
export const STATUS_COALESCE_MS = 50;

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const dataDir = opts.dataDir;
  // A folder that cannot be written is said in one line before anything opens; a full disk is
  // not refused here (reading still works, and the screen says why saving does not).
  const folderProblem = checkDataFolder(dataDir);
  if (folderProblem !== null && folderProblem !== 'full') throw new DataFolderError(folderProblem, dataDir, 'start');
  ensurePrivateDataDir(dataDir);
  const clock = opts.clock ?? systemClock;
  const env = opts.env ?? process.env;
  // The process's logger when the caller gives one (the desktop shell, browser mode), else one of
  // its own. Either way it scrubs the keys in use, from when the key store is open (below).
  const logger = opts.logger ?? createLogger({ file: join(dataDir, 'logs', 'pos-companion.log') });
  const notices: TillNotice[] = [];
  if (folderProblem === 'full')
    notices.push({ code: 'DATA_FOLDER_FULL', message: dataFolderMessage('full', dataDir, 'start'), params: { folder: dataDir } });
  const cipher = opts.secretCipher === undefined ? createNodeSecretCipher({ env, dataDir }) : opts.secretCipher;
  let store: TillStore;
  try {
    store = openTillStore({ dataDir, clock, logger, cipher, env });
  } catch (err) {
    if (!opts.logger) await closeLogger(logger);
    throw asDataFolderError(err, dataDir, 'start') ?? err;
  }
  const { db, settings: settingsStore, keys: keyStore } = store;
  // Until the database closes: the store reads a key it has not cached from the database.
  const stopScrubbing = addSecretValues(logger, () => keyStore.knownValues());
  notices.push(...store.notices);
  const startSync = opts.startSync ?? true;
  const serious = seriousNotices(store.notices);
  if (serious.length > 0 && (opts.onDatabaseProblem ?? (startSync ? 'continue' : 'stop')) === 'stop') {
    // Kept for the next screen to show, since this process has none.
    for (const n of serious) store.identity.addIncident(n, false);
    stopScrubbing();
    db.close();
    if (!opts.logger) await closeLogger(logger);
    throw new DatabaseDamagedError(`${serious.map((n) => n.message).join(' ')} The command was not run: run it again.`);
  }
  // A long-running till (startSync) has a screen; a one-shot command does not, so what it found
  // is kept for the next screen to show.
  if (startSync) {
    for (const i of store.identity.takeUnshownIncidents()) {
      if (isNoticeCode(i.code)) notices.push({ code: i.code, message: `${i.at}: ${i.message}`, params: { ...i.params, at: i.at } });
    }
  } else {
    for (const n of serious) store.identity.addIncident(n, false);
  }
  if (cipher?.unavailableReason && env[MASTER_KEY_FILE_ENV]?.trim() && !cipher.available()) {
    // An explicit opt-in that does not work is said at once, not at the first "save keys".
    const reason = cipher.unavailableReason() ?? 'it is not usable';
    notices.push({ code: 'KEYS_UNSTORABLE', message: `Keys cannot be stored: ${reason}.`, params: { reason } });
    logger.warn({ reason }, 'master key file refused');
  }
  const health = new DatabaseHealth(store, logger, (n) => notices.push(n), opts.checkpointDelayMs);
  const storePin = new StorePin({ storage: settingsStore.storePinRecord(), clock, logger });

  const initial = settingsStore.get();
  /** The mode the caller, the settings and the keys ask for now. */
  const wantedTraining = (): boolean => {
    const mode = settingsStore.get().trainingMode;
    const requested = opts.training ?? (mode === 'on' ? true : mode === 'off' ? false : 'auto');
    return requested === 'auto' ? !(keyStore.isPresent('apiKey') && keyStore.isPresent('secretKey')) : requested;
  };
  /** The mode of new captures; the sync part follows it (syncTraining) once a swap is done. */
  let training = wantedTraining();

  // Status events: the one debounce between a change (a capture, the sync's progress, a mode
  // switch) and the event (see StatusFeed): at most once per STATUS_COALESCE_MS, only with listeners.
  const statusFeed = new StatusFeed({
    read: () => engine.status(),
    delayMs: STATUS_COALESCE_MS,
    onReadError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the status'),
    logger,
  });
  const notifyStatus = () => {
    if (!closed) statusFeed.changed();
  };
  /** The status from the tables, for a sync part that keeps none of its own. */
  const storedStatus = new StatusReader(db);

  const orders = new OrderStore({
    db,
    clock,
    logger,
    settings: () => settingsStore.get(),
    training: () => training,
    onChange: () => onChange(),
  });
  const queue = new OrderQueue({ db, clock, logger, settings: () => settingsStore.get(), rules: orders.rules, onChange: () => onChange() });

  const syncFactory = opts.sync;
  const syncContext = (forTraining: boolean): SyncContext => ({
    db,
    dataDir,
    clock,
    logger,
    fetch: opts.fetch ?? globalThis.fetch,
    env,
    training: forTraining,
    startSync,
    settings: () => settingsStore.get(),
    gameball: () => tillGameballSetup(settingsStore.get(), keyStore),
    notifyStatus: () => {
      // The sync made progress: its rows changed in the -wal.
      if (startSync) health.changed();
      notifyStatus();
    },
    databaseError: (err, where) => health.classify(err, where),
  });
  let sync: SyncPart = await syncFactory(syncContext(training));
  let syncTraining = training;
  let switching: Promise<void> = Promise.resolve();

  /**
   * Reads the mode again after the keys or settings changed. A new mode applies to the next
   * capture at once; the sync part is swapped behind it, one swap at a time, in order. The two
   * sync parts never post the same rows: each claims only rows of its own mode. When the mode
   * stays, the current sync part is told its configuration may have changed (after any swap under
   * way), so a live till that had no usable keys starts sending.
   */
  function followMode(): void {
    const next = wantedTraining();
    if (next === training) {
      switching = switching.then(() => {
        if (closed) return;
        try {
          sync.configChanged?.();
        } catch (err) {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'sync could not take the new configuration');
        }
      });
      return;
    }
    training = next;
    logger.info({ training }, training ? 'mode changed: training (built-in simulator)' : 'mode changed: live (Gameball)');
    switching = switching.then(() => swapSync());
    notifyStatus();
  }

  async function swapSync(): Promise<void> {
    const target = training;
    if (closed || syncTraining === target) return;
    try {
      await sync.close();
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'sync part did not stop cleanly');
    }
    if (closed) {
      sync = unavailableSync('The till is closing.');
      return;
    }
    try {
      sync = await syncFactory(syncContext(target));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      logger.error({ err: reason, training: target }, 'sync could not start in the new mode');
      sync = unavailableSync(`Sync could not start: ${reason}`);
    }
    syncTraining = target;
    notifyStatus();
  }
  const referrals = new ReferralChecker({
    db,
    clock,
    logger,
    settings: () => settingsStore.get(),
    rules: orders.rules,
    training: () => training,
    advisor: () => sync.advisor,
  });

  const loyaltyService = new LoyaltyService({
    db,
    clock,
    logger,
    settings: () => settingsStore.get(),
    training: () => training,
    port: () => sync.loyalty ?? null,
  });
  const loyalty: Engine['loyalty'] = {
    customer: (input) =>
      loyaltyService.customer(input).catch((err: unknown) => Promise.reject(health.classify(err, 'looking up a customer'))),
    lockCoupon: (input) => loyaltyService.lockCoupon(input),
    unlockCoupon: (input) => loyaltyService.unlockCoupon(input),
    preview: (input) => loyaltyService.preview(input),
  };

  // Spending points: captures with a hold, cancel, discard and the expired-hold choices go through it.
  const points = new PointsDesk({
    db,
    clock,
    logger,
    settings: () => settingsStore.get(),
    training: () => training,
    gateway: () => sync.holds ?? null,
    online: () => sync.online(),
    orders,
    queue,
    onChange: () => onChange(),
  });

  function onChange(): void {
    if (startSync) health.changed();
    if (sync.notify) sync.notify();
    else sync.syncNow();
    // A sync part that keeps its own status tells the listeners itself (through notifyStatus),
    // coalesced and only when the status changed.
    if (!sync.status) notifyStatus();
  }

  const prune = (): number => queue.prune(settingsStore.get().retentionDays);
  let pruneTimer: NodeJS.Timeout | undefined;
  if (startSync) {
    try {
      prune();
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention pruning failed');
    }
    pruneTimer = setInterval(() => {
      try {
        prune();
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention pruning failed');
      }
    }, PRUNE_EVERY_MS);
    pruneTimer.unref();
  }
  // The fleet view's push (opt-in: main/fleet/push-timer.ts does nothing while fleet.pushUrl is unset).
  let fleetPush: FleetPush | undefined;
  if (startSync) {
    fleetPush = startFleetPush({
      settings: () => settingsStore.get().fleet,
      health: () => {
        const { storeId, tillId, scanner } = settingsStore.get();
        const scannerState = opts.scannerState?.() ?? 'unknown';
        return { status: engine.status(), storeId, tillId, version: appVersion(), scanner: { mode: scanner.mode, state: scannerState } };
      },
      logger,
      env,
    });
  }

  let closed = false;
  let closing: Promise<void> | undefined;
  const settingsView = (): Settings => ({
    ...settingsStore.get(),
    keys: {
      apiKeySet: keyStore.isSet('apiKey'),
      secretKeySet: keyStore.isSet('secretKey'),
      ...(keyStore.unreadable('apiKey') !== null ? { apiKeyUnreadable: true } : {}),
      ...(keyStore.unreadable('secretKey') !== null ? { secretKeyUnreadable: true } : {}),
    },
    storePinSet: storePin.isSet(),
  });

  // Every call that reads or writes the database: a damaged database comes out as
  // DatabaseDamagedError (with its sentence), not as SQLite's bare error.
  const guard = <T>(where: string, fn: () => T): T => health.guard(where, fn);
  const intake = new SaleIntake({
    db,
    clock,
    logger,
    capture: (input) => orders.captureOrder(input),
  });
  // What the local API and the screen call: every database step behind the guard, like captureOrder.
  const sales: Sales = {
    intakeSale: (body) => guard('saving a sale from the POS', () => intake.intakeSale(body)),
    completeSale: (id, customer) => guard('completing a sale from the POS', () => intake.completeSale(id, customer)),
    skipSale: (id) => guard('setting a sale from the POS aside', () => intake.skipSale(id)),
    getSale: (id) => guard('reading a sale from the POS', () => intake.getSale(id)),
    pendingSale: () => guard('reading the waiting sale', () => intake.pendingSale()),
    onPending: (listener) => intake.onPending(listener),
  };
  // Sales the POS drops as files: watched while the till runs (desktop and serve), not by one-shot commands.
  const folderImport = startSync
    ? new FolderImport({ db, intake: sales, inbox: () => inboxFolder(dataDir, settingsStore.get().inboxFolder), clock, logger })
    : undefined;
  folderImport?.start();
  const engine: Engine = {
    dataDir,
    notices,
    loyalty,
    captureOrder: (input) => guard('saving an order', () => points.captureOrder(input)),
    sales,
    findReceipt: (receiptKey) => guard('looking up a receipt', () => ({ orderId: orders.receipts.orderOf(receiptKey, training) })),
    captureRefund: (input) => guard('saving a refund', () => orders.captureRefund(input)),
    points,
    async checkReferral(input) {
      try {
        return await referrals.check(input);
      } catch (err) {
        throw health.classify(err, 'checking a referral code');
      }
    },
    listOrders: (q) => guard('reading the queue', () => queue.list(q)),
    getOrder: (id) => guard('reading an order', () => points.withRedemption(queue.get(id))),
    retry: (target) => guard('retrying', () => queue.retry(target)),
    editAndResend: (id, patch) => guard('editing an order', () => queue.editAndResend(id, patch)),
    discard: (id, reason) => guard('discarding an order', () => points.discard(id, reason)),
    exportOrders: (q) => {
      const parsed = ExportQuerySchema.safeParse(q);
      if (!parsed.success) throw refusalFromZod(parsed.error);
      return guard('exporting orders', () => queue.exportOrders(parsed.data));
    },
    get training() {
      return training;
    },
    status: () => guard('reading the status', () => sync.status?.() ?? storedStatus.readStored(syncTraining, clock.now(), sync.online())),
    onStatus(listener) {
      return statusFeed.subscribe(listener);
    },
    getSettings: () => guard('reading the settings', settingsView),
    updateSettings(patch) {
      guard('saving the settings', () => settingsStore.update(patch));
      store.identity.record(db, settingsStore, keyStore);
      followMode();
      notifyStatus();
      fleetPush?.settingsChanged();
      return settingsView();
    },
    setKeys(keys) {
      const parsed = KeysSchema.safeParse(keys);
      if (!parsed.success)
        throw new CaptureRefusedError(
          'INVALID_INPUT',
          parsed.error.issues[0]?.message ?? 'Keys must be text (or null to remove).',
          String(parsed.error.issues[0]?.path[0] ?? 'apiKey'),
        );
      guard('saving the keys', () =>
        db.transaction(() => {
          if (parsed.data.apiKey !== undefined) keyStore.set('apiKey', parsed.data.apiKey);
          if (parsed.data.secretKey !== undefined) keyStore.set('secretKey', parsed.data.secretKey);
        })(),
      );
      // The identity file keeps the ciphertext as stored, so a new database gets the keys back.
      store.identity.record(db, settingsStore, keyStore);
      logger.info(
        { apiKeyChanged: parsed.data.apiKey !== undefined, secretKeyChanged: parsed.data.secretKey !== undefined },
        'keys updated',
      );
      followMode();
    },
    storePin,
    async testConnection() {
      // Asked right after keys were saved, the answer must come from the sync part of the new mode.
      await switching;
      return sync.testConnection();
    },
    whenModeSettled: () => switching,
    syncNow: () => sync.syncNow(),
    pruneNow: () => guard('deleting old orders', prune),
    recoverFrom(file) {
      const from = resolve(file);
      if (!existsSync(from))
        throw new CaptureRefusedError(
          'INVALID_INPUT',
          `There is no file ${from}. Give the damaged database file, e.g. ${store.file}.corrupt-<time>.`,
          'from',
        );
      if (sameFile(from, store.file)) {
        throw new CaptureRefusedError(
          'INVALID_INPUT',
          `${from} is this till's live database, not a damaged copy: give the moved-aside file (${store.file}.corrupt-<time>).`,
          'from',
        );
      }
      const report = guard('recovering orders', () => recoverInto(db, from, { clock, logger }));
      if (report.orders.recovered + report.refunds.recovered > 0) {
        health.changed();
        onChange();
      }
      return report;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        if (pruneTimer) clearInterval(pruneTimer);
        folderImport?.close();
        statusFeed.close();
        await fleetPush?.close();
        await switching;
        await sync.close();
        // The main file complete on its own (a copy without the -wal loses nothing) where possible.
        health.close();
        stopScrubbing();
        db.close();
        if (!opts.logger) await closeLogger(logger);
      })();
      return closing;
    },
  };
  logger.info({ dataDir, training, tillId: initial.tillId }, 'engine started');
  return engine;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/** Opens an engine, runs `fn`, and always closes it (CLI commands). */
export async function withEngine<T>(opts: EngineOptions, fn: (engine: Engine) => T | Promise<T>): Promise<T> {
  const engine = await createEngine(opts);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
