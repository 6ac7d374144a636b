// SecretCipher for plain Node (the CLI and browser mode), backed by the OS key store:
// - macOS: a random 256-bit master key in the login keychain (`security`), AES-256-GCM locally;
// - Windows: DPAPI (current user) through PowerShell, per value;
// - Linux: a random master key in the Secret Service (`secret-tool`, GNOME Keyring/KWallet), AES-256-GCM;
// - any OS, when POS_COMPANION_MASTER_KEY_FILE names a file: the master key in that file (an
//   explicit opt-in for a till or CI machine without a key store), AES-256-GCM.
// When none works, `available()` is false and keys are refused (see SecretStore). The Electron
// shell passes a safeStorage-based cipher instead. Commands run with execFile (no shell) and the
// secret travels on stdin, never on a command line.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync, realpathSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { SecretCipher } from './secrets.ts';

export type ExecFile = (file: string, args: string[], input?: string) => string;

const realExec: ExecFile = (file, args, input) =>
  execFileSync(file, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 15_000, windowsHide: true });

const SERVICE = 'POS Companion';
const ACCOUNT = 'secrets-master-key';
const VERSION = 1;

/** AES-256-GCM with a 32-byte key: [version][12-byte iv][16-byte tag][ciphertext]. */
export function aesGcmEncrypt(key: Buffer, plain: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
}

export function aesGcmDecrypt(key: Buffer, b: Buffer): string {
  if (b.length < 29 || b[0] !== VERSION) throw new Error('unknown ciphertext format');
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(1, 13));
  d.setAuthTag(b.subarray(13, 29));
  return Buffer.concat([d.update(b.subarray(29)), d.final()]).toString('utf8');
}

/** A cipher whose master key lives in an OS key store reached through `load`/`save`. */
class MasterKeyCipher implements SecretCipher {
  private key: Buffer | null | undefined;
  constructor(
    readonly id: string,
    private readonly load: () => string | null,
    private readonly save: (hex: string) => void,
  ) {}

  private masterKey(create: boolean): Buffer | null {
    if (this.key) return this.key;
    try {
      const hex = this.load();
      if (hex && /^[0-9a-f]{64}$/.test(hex)) this.key = Buffer.from(hex, 'hex');
      else if (create) {
        const fresh = randomBytes(32).toString('hex');
        this.save(fresh);
        this.key = Buffer.from(fresh, 'hex');
      }
    } catch {
      this.key = null;
    }
    return this.key ?? null;
  }

  available(): boolean {
    return this.masterKey(true) !== null;
  }
  encrypt(plain: string): Buffer {
    const k = this.masterKey(true);
    if (!k) throw new Error(`${this.id} key store is not available`);
    return aesGcmEncrypt(k, plain);
  }
  decrypt(b: Buffer): string {
    const k = this.masterKey(false);
    if (!k) throw new Error(`${this.id} key store holds no key`);
    return aesGcmDecrypt(k, b);
  }
}

export function macKeychainCipher(exec: ExecFile = realExec): SecretCipher {
  return new MasterKeyCipher(
    'macos-keychain',
    () => {
      try {
        return exec('security', ['find-generic-password', '-s', SERVICE, '-a', ACCOUNT, '-w']).trim();
      } catch {
        return null;
      }
    },
    (hex) => {
      // Never `add-generic-password ... -w <key>`: `ps` shows a process's arguments to every
      // user of the computer. `security -i` reads its commands from stdin instead (its own
      // word splitting: the service name is quoted, the hex key needs none); -U updates an
      // existing item. Interactive mode exits 0 even when a command fails, so the key is read
      // back before it is trusted, as with secret-tool.
      exec('security', ['-i'], `add-generic-password -U -s "${SERVICE}" -a ${ACCOUNT} -w ${hex}\n`);
      const back = exec('security', ['find-generic-password', '-s', SERVICE, '-a', ACCOUNT, '-w']).trim();
      if (back !== hex) throw new Error('the keychain did not keep the key');
    },
  );
}

export function linuxSecretToolCipher(exec: ExecFile = realExec): SecretCipher {
  return new MasterKeyCipher(
    'linux-secret-service',
    () => {
      try {
        return exec('secret-tool', ['lookup', 'service', SERVICE, 'account', ACCOUNT]).trim() || null;
      } catch {
        return null;
      }
    },
    (hex) => {
      exec('secret-tool', ['store', '--label', `${SERVICE} secrets key`, 'service', SERVICE, 'account', ACCOUNT], hex);
      // A keyring that silently drops writes (no session bus, locked) would lose every key later.
      const back = exec('secret-tool', ['lookup', 'service', SERVICE, 'account', ACCOUNT]).trim();
      if (back !== hex) throw new Error('secret-tool did not keep the key');
    },
  );
}

const PS_PROTECT =
  'Add-Type -AssemblyName System.Security; $in=[Console]::In.ReadToEnd().Trim(); $b=[Text.Encoding]::UTF8.GetBytes($in); ' +
  "[Convert]::ToBase64String([Security.Cryptography.ProtectedData]::Protect($b,$null,'CurrentUser'))";
const PS_UNPROTECT =
  'Add-Type -AssemblyName System.Security; $in=[Console]::In.ReadToEnd().Trim(); $b=[Convert]::FromBase64String($in); ' +
  "[Text.Encoding]::UTF8.GetString([Security.Cryptography.ProtectedData]::Unprotect($b,$null,'CurrentUser'))";

export function windowsDpapiCipher(exec: ExecFile = realExec): SecretCipher {
  let ok: boolean | undefined;
  const ps = (script: string, input: string) => exec('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], input).trim();
  return {
    id: 'windows-dpapi',
    available() {
      if (ok === undefined) {
        try {
          const probe = randomBytes(8).toString('hex');
          ok = ps(PS_UNPROTECT, ps(PS_PROTECT, probe)) === probe;
        } catch {
          ok = false;
        }
      }
      return ok;
    },
    encrypt(plain) {
      return Buffer.from(ps(PS_PROTECT, plain), 'base64');
    },
    decrypt(b) {
      return ps(PS_UNPROTECT, b.toString('base64'));
    },
  };
}

/** The environment variable that opts into a master-key file instead of the OS key store. */
export const MASTER_KEY_FILE_ENV = 'POS_COMPANION_MASTER_KEY_FILE';

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export interface MasterKeyFileOptions {
  /** The till's data folder: a key file inside it is refused (the database must not travel with its key). */
  dataDir?: string;
  platform?: NodeJS.Platform;
}

/**
 * A cipher whose 32-byte master key is kept in a file the operator names (64 hex characters; a
 * trailing newline is fine). Contract:
 * - a missing file is created (random key, mode 0600, exclusive create, fsync) when the first key
 *   is stored, provided its folder exists; an existing file is never rewritten;
 * - refused, with a reason from `unavailableReason()` naming the file and the fix, when the file
 *   (or what a symlink points to) lies inside the data folder, is not a regular file, on POSIX is
 *   open to the group or others or belongs to another user, or does not hold 64 hex characters;
 * - a refusal is re-checked on the next use, so fixing the file needs no restart. The key itself
 *   never appears in a message.
 */
export class MasterKeyFileCipher implements SecretCipher {
  readonly id = 'master-key-file';
  private key: Buffer | null = null;
  private reason: string | null = null;
  private readonly file: string;
  private readonly platform: NodeJS.Platform;

  constructor(
    file: string,
    private readonly opts: MasterKeyFileOptions = {},
  ) {
    this.file = resolve(file);
    this.platform = opts.platform ?? process.platform;
  }

  private refuse(why: string): null {
    this.reason = `the master key file ${this.file} (${MASTER_KEY_FILE_ENV}) ${why}`;
    return null;
  }

  private load(create: boolean): Buffer | null {
    if (this.key) return this.key;
    const folder = dirname(this.file);
    if (this.opts.dataDir !== undefined) {
      const data = resolve(this.opts.dataDir);
      if (
        isInside(this.file, data) ||
        isInside(realOrSelf(this.file), realOrSelf(data)) ||
        isInside(realOrSelf(folder), realOrSelf(data))
      ) {
        return this.refuse(
          'is inside the data folder; keep it elsewhere, so that a copy of the database never carries the key that opens it',
        );
      }
    }
    let st;
    try {
      st = statSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        return this.refuse(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      if (!create) return this.refuse('does not exist');
      return this.createKey(folder);
    }
    if (!st.isFile()) return this.refuse('is not a regular file');
    if (this.platform !== 'win32') {
      if ((st.mode & 0o077) !== 0) {
        return this.refuse(
          `is open to other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); make it private with: chmod 600 "${this.file}"`,
        );
      }
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) return this.refuse('belongs to another user; it must belong to the user the till runs as');
    }
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8').trim();
    } catch (err) {
      return this.refuse(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!/^[0-9a-fA-F]{64}$/.test(text)) return this.refuse('does not hold a 32-byte key written as 64 hex characters');
    this.key = Buffer.from(text, 'hex');
    this.reason = null;
    return this.key;
  }

  private createKey(folder: string): Buffer | null {
    let isDir = false;
    try {
      isDir = statSync(folder).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) return this.refuse(`does not exist and its folder ${folder} does not either; create the folder first`);
    const fresh = randomBytes(32);
    let fd: number | undefined;
    try {
      // wx: never overwrite a key another process created a moment ago (that would orphan its ciphertexts).
      fd = openSync(this.file, 'wx', 0o600);
      writeSync(fd, `${fresh.toString('hex')}\n`);
      fsyncSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return this.load(false);
      return this.refuse(`could not be created (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    // Re-read through the same checks (mode, owner), so what is used is what is on disk.
    return this.load(false);
  }

  available(): boolean {
    return this.load(true) !== null;
  }
  unavailableReason(): string | null {
    return this.key ? null : this.reason;
  }
  encrypt(plain: string): Buffer {
    const k = this.load(true);
    if (!k) throw new Error(this.reason ?? 'the master key file is not available');
    return aesGcmEncrypt(k, plain);
  }
  decrypt(b: Buffer): string {
    const k = this.load(false);
    if (!k) throw new Error(this.reason ?? 'the master key file is not available');
    return aesGcmDecrypt(k, b);
  }
}

export interface NodeCipherOptions {
  platform?: NodeJS.Platform;
  exec?: ExecFile;
  /** Read for POS_COMPANION_MASTER_KEY_FILE (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The data folder, which the master key file must stay out of. */
  dataDir?: string;
}

/**
 * The cipher for plain Node: the master-key file when POS_COMPANION_MASTER_KEY_FILE is set (on
 * any OS), else the OS key store of this platform (availability is probed lazily, on first use).
 */
export function createNodeSecretCipher(opts: NodeCipherOptions = {}): SecretCipher | null {
  const platform = opts.platform ?? process.platform;
  const exec = opts.exec ?? realExec;
  const keyFile = (opts.env ?? process.env)[MASTER_KEY_FILE_ENV]?.trim();
  if (keyFile) return new MasterKeyFileCipher(keyFile, { platform, ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}) });
  if (platform === 'darwin') return macKeychainCipher(exec);
  if (platform === 'win32') return windowsDpapiCipher(exec);
  if (platform === 'linux') return linuxSecretToolCipher(exec);
  return null;
}
