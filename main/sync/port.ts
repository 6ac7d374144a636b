// The port between the engine (main/engine.ts) and a sync part. The engine hands a sync part
// everything it needs through SyncContext and gets a SyncPart back; the rest of the engine never
// reaches into it. Which sync part runs is chosen by the entry point (desktop, browser mode, CLI:
// the Gameball sync of ./wiring.ts) or by a test, never by the engine itself, so loading the
// engine loads no Gameball client and no simulator.
import type { Clock } from '../clock.ts';
import type { StoredSettings } from '../config/settings.ts';
import type { Database } from '../db/database.ts';
import type { TillGameballSetup } from '../gameball/config.ts';
import type { Logger } from '../log.ts';
import type { LoyaltyPort } from '../loyalty/port.ts';
import type { HoldGateway } from '../loyalty/holds.ts';
import type { ReferralAdvisor } from '../orders/referral.ts';
import type { SyncStatus } from '../orders/schemas.ts';

export interface SyncContext {
  db: Database;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  env: NodeJS.ProcessEnv;
  /** Training: post only training rows, only to the built-in simulator. */
  training: boolean;
  /** false: the caller wants no background posting (one-shot CLI command). */
  startSync: boolean;
  settings(): StoredSettings;
  /** Gameball settings with the keys decrypted; the environment already applied to the keys. Never log. */
  gameball(): TillGameballSetup;
  /** Tell the screen something changed (coalesced). */
  notifyStatus(): void;
  /**
   * A statement failed: when SQLite says the database is damaged, this records the condition once
   * (notice, log, flag for the next start) and returns DatabaseDamagedError; else it returns `err`.
   */
  databaseError(err: unknown, where: string): unknown;
}

export interface SyncPart {
  /** Online referral advice; null when Gameball cannot be asked. */
  readonly advisor: ReferralAdvisor | null;
  /** The checkout's loyalty calls (customer panel, coupons, reward preview); null or absent when Gameball cannot be asked. */
  readonly loyalty?: LoyaltyPort | null;
  /** Holds of points (spending points at the till); null or absent when Gameball cannot be asked. */
  readonly holds?: HoldGateway | null;
  online(): boolean;
  /** The live status, when the sync part keeps one (else the engine builds it from the tables). */
  status?(): SyncStatus;
  syncNow(): void;
  /** The outbox changed (a capture, a retry): look now, without cutting short any backoff. */
  notify?(): void;
  testConnection(): Promise<{ ok: boolean; message: string }>;
  /**
   * The keys or the Gameball settings changed and the mode did not: use them now (a live till
   * without usable keys starts sending as soon as they are entered, without a restart).
   */
  configChanged?(): void;
  /** Stops posting; resolves when no request is in flight any more. */
  close(): Promise<void>;
}

export type SyncFactory = (ctx: SyncContext) => SyncPart | Promise<SyncPart>;

/** No sync: the till still captures and queues; nothing is posted. */
export const noSync: SyncFactory = () => ({
  advisor: null,
  online: () => false,
  syncNow: () => {},
  testConnection: async () => ({ ok: false, message: 'Sync is not running in this process.' }),
  close: async () => {},
});
