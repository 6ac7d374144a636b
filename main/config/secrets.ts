// Gameball keys at rest. Only ciphertext is ever written (the `secrets` table), through a
// SecretCipher the platform provides: Electron's safeStorage in the desktop app, an OS keystore
// in plain Node (see node-cipher.ts). Without a working cipher, keys are refused, never stored
// in plain text: the environment variables are the way then. Values never reach a log line, an
// error message or the screen; only "set / not set" leaves this module (and the decrypted value,
// to the Gameball client in the same process).
import type { RefusalReason } from '../../preload/api.ts';
import { isoAt } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';

export interface SecretCipher {
  /** Names the scheme; stored beside each ciphertext so a changed scheme is detected. */
  id: string;
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(b: Buffer): string;
  /** Why `available()` is false, for a person (what is wrong and how to fix it); never a secret. */
  unavailableReason?(): string | null;
}

export type SecretName = 'apiKey' | 'secretKey';
export const SECRET_NAMES: readonly SecretName[] = ['apiKey', 'secretKey'];

/** Which environment variable overrides which key. */
export const SECRET_ENV: Record<SecretName, string> = { apiKey: 'GAMEBALL_API_KEY', secretKey: 'GAMEBALL_SECRET_KEY' };

export class SecretsUnavailableError extends Error {
  readonly code = 'SECRETS_UNAVAILABLE' satisfies RefusalReason;
  constructor(reason: string) {
    super(
      `Keys cannot be stored on this computer: ${reason}. Nothing was saved. ` +
        'Set the keys in the environment instead (GAMEBALL_API_KEY and GAMEBALL_SECRET_KEY), or set them from the desktop app.',
    );
    this.name = 'SecretsUnavailableError';
  }
}

/** A key as stored: the ciphertext and the scheme that made it. Never the key itself. */
export interface StoredSecret {
  ciphertext: Buffer;
  scheme: string;
  updatedAt: string;
}

/**
 * How long a stored key that could not be read stays unread before the next use tries again (a
 * keychain still locked at boot, a key store that answers a moment later).
 */
export const UNREADABLE_RETRY_MS = 60_000;

export class SecretStore {
  private readonly selectRaw;
  private readonly insertRaw;
  private readonly select;
  private readonly upsert;
  private readonly remove;
  private readonly exists;
  private cache = new Map<SecretName, string | null>();
  private readonly problems = new Map<SecretName, string>();
  /** When each unreadable key was last tried. */
  private readonly triedAt = new Map<SecretName, number>();

  constructor(
    db: Database,
    private readonly cipher: SecretCipher | null,
    private readonly clock: Clock,
    private readonly env: NodeJS.ProcessEnv = {},
    private readonly onUnreadable: (name: SecretName, reason: string) => void = () => {},
  ) {
    this.select = db.prepare<[string], { ciphertext: Buffer; scheme: string }>('SELECT ciphertext, scheme FROM secrets WHERE name = ?');
    this.selectRaw = db.prepare<[string], { ciphertext: Buffer; scheme: string; updated_at: string }>(
      'SELECT ciphertext, scheme, updated_at FROM secrets WHERE name = ?',
    );
    this.insertRaw = db.prepare('INSERT OR IGNORE INTO secrets (name, ciphertext, scheme, updated_at) VALUES (?, ?, ?, ?)');
    this.upsert = db.prepare(
      'INSERT INTO secrets (name, ciphertext, scheme, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET ciphertext = excluded.ciphertext, scheme = excluded.scheme, updated_at = excluded.updated_at',
    );
    this.remove = db.prepare('DELETE FROM secrets WHERE name = ?');
    this.exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM secrets WHERE name = ?');
  }

  /** Set in the environment or stored (stored but undecryptable still counts as not usable). */
  isSet(name: SecretName): boolean {
    return this.value(name) !== null;
  }

  /** True when a ciphertext is stored, whether or not this process can decrypt it. */
  isStored(name: SecretName): boolean {
    return this.exists.get(name) !== undefined;
  }

  /** The key to use: the environment wins over the stored value. null when neither is usable. */
  value(name: SecretName): string | null {
    const fromEnv = this.env[SECRET_ENV[name]]?.trim();
    if (fromEnv) return fromEnv;
    return this.stored(name);
  }

  /**
   * Set in the environment or stored, whether or not this process can read the stored one: what
   * makes a till live in auto mode (a key this process cannot read keeps the till live, its orders
   * waiting with the reason, rather than taking them as training). Asks no key store.
   */
  isPresent(name: SecretName): boolean {
    return Boolean(this.env[SECRET_ENV[name]]?.trim()) || this.isStored(name);
  }

  /**
   * Why the stored key cannot be read here (another scheme, or a key store that cannot decrypt
   * it), when the environment does not give the key instead; null otherwise. Never a key in it.
   */
  unreadable(name: SecretName): string | null {
    if (this.value(name) !== null) return null;
    return this.problems.get(name) ?? null;
  }

  // A stored key is read by decrypting it, and nothing else: no `available()` first, which may make
  // a new master key (a write to the OS key store, on a read) that could never open this ciphertext.
  private stored(name: SecretName): string | null {
    const retry = this.problems.has(name) && this.clock.now() - (this.triedAt.get(name) ?? 0) >= UNREADABLE_RETRY_MS;
    if (this.cache.has(name) && !retry) return this.cache.get(name) ?? null;
    const before = this.problems.get(name) ?? null;
    const row = this.select.get(name);
    let value: string | null = null;
    let problem: string | null = null;
    if (row) {
      if (!this.cipher || row.scheme !== this.cipher.id) {
        problem = `stored with ${row.scheme}, which is not available here`;
      } else {
        try {
          value = this.cipher.decrypt(row.ciphertext);
        } catch {
          problem = this.cipher.unavailableReason?.() ?? 'the stored ciphertext could not be decrypted';
        }
      }
    }
    // Cached before reporting: the report is a log line, and the logger asks this store for the
    // values to scrub, which must not come back here.
    this.cache.set(name, value);
    if (problem === null) this.problems.delete(name);
    else {
      this.problems.set(name, problem);
      this.triedAt.set(name, this.clock.now());
    }
    // Reported once per reason, not at every try.
    if (problem !== null && problem !== before) this.onUnreadable(name, problem);
    return value;
  }

  /** Encrypts and stores (a string), or deletes (null). Throws SecretsUnavailableError without a cipher. */
  set(name: SecretName, value: string | null): void {
    if (value === null) {
      this.remove.run(name);
      this.cache.set(name, null);
      this.problems.delete(name);
      return;
    }
    const plain = value.trim();
    if (!plain) throw new Error(`The ${name === 'apiKey' ? 'API key' : 'secret key'} is empty.`);
    if (!this.cipher) throw new SecretsUnavailableError('no secure key store is available');
    if (!this.cipher.available())
      throw new SecretsUnavailableError(this.cipher.unavailableReason?.() ?? `the ${this.cipher.id} key store is not available`);
    const ciphertext = this.cipher.encrypt(plain);
    this.upsert.run(name, ciphertext, this.cipher.id, isoAt(this.clock.now()));
    this.cache.set(name, plain);
    this.problems.delete(name);
  }

  /** Values currently in use, for the logger's scrubber. */
  knownValues(): string[] {
    return SECRET_NAMES.map((n) => this.value(n)).filter((v): v is string => v !== null);
  }

  invalidate(): void {
    this.cache.clear();
    this.problems.clear();
  }

  /** The stored ciphertext of a key (for the identity file, which keeps it as it is), or null. */
  storedSecret(name: SecretName): StoredSecret | null {
    const row = this.selectRaw.get(name);
    return row ? { ciphertext: row.ciphertext, scheme: row.scheme, updatedAt: row.updated_at } : null;
  }

  /** Puts a stored ciphertext back into a database that lacks the key (one already here wins). True when written. */
  restoreSecret(name: SecretName, secret: StoredSecret): boolean {
    const written = this.insertRaw.run(name, secret.ciphertext, secret.scheme, secret.updatedAt).changes === 1;
    if (written) {
      this.cache.delete(name);
      this.problems.delete(name);
    }
    return written;
  }
}
