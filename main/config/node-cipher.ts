// SecretCipher for plain Node (the CLI and browser mode), backed by the OS key store:
// - macOS: a random 256-bit master key in the login keychain (`security`), AES-256-GCM locally;
// - Windows: DPAPI (current user) through PowerShell, per value;
// - Linux: a random master key in the Secret Service (`secret-tool`, GNOME Keyring/KWallet), AES-256-GCM.
// When none works, `available()` is false and keys are refused (see SecretStore). The Electron
// shell passes a safeStorage-based cipher instead. Commands run with execFile (no shell) and the
// secret travels on stdin, never on a command line.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
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
      // -U updates an existing item. `security` only takes the password as an argument; the
      // value is a random master key (not a Gameball key) and the call is local to this user.
      exec('security', ['add-generic-password', '-U', '-s', SERVICE, '-a', ACCOUNT, '-w', hex]);
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
  "Add-Type -AssemblyName System.Security; $in=[Console]::In.ReadToEnd().Trim(); $b=[Text.Encoding]::UTF8.GetBytes($in); " +
  "[Convert]::ToBase64String([Security.Cryptography.ProtectedData]::Protect($b,$null,'CurrentUser'))";
const PS_UNPROTECT =
  "Add-Type -AssemblyName System.Security; $in=[Console]::In.ReadToEnd().Trim(); $b=[Convert]::FromBase64String($in); " +
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

/** The OS-backed cipher for this platform (availability is probed lazily, on first use). */
export function createNodeSecretCipher(platform: NodeJS.Platform = process.platform, exec: ExecFile = realExec): SecretCipher | null {
  if (platform === 'darwin') return macKeychainCipher(exec);
  if (platform === 'win32') return windowsDpapiCipher(exec);
  if (platform === 'linux') return linuxSecretToolCipher(exec);
  return null;
}
