import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  createNodeSecretCipher,
  linuxSecretToolCipher,
  macKeychainCipher,
  MASTER_KEY_FILE_ENV,
  MasterKeyFileCipher,
  windowsDpapiCipher,
} from '../../../main/config/node-cipher.ts';
import type { ExecFile } from '../../../main/config/node-cipher.ts';

/** A key store that keeps what it is given, recording every command line and stdin. */
function fakeKeyStore() {
  const calls: { file: string; args: string[]; input?: string }[] = [];
  let stored: string | null = null;
  const exec: ExecFile = (file, args, input) => {
    calls.push({ file, args, input });
    if (file === 'secret-tool' && args[0] === 'store') stored = input ?? null;
    else if (file === 'secret-tool' && args[0] === 'lookup') {
      if (stored === null) throw new Error('exit 1');
      return `${stored}\n`;
    } else if (file === 'security' && args[0] === 'add-generic-password') stored = args[args.length - 1] ?? null;
    else if (file === 'security' && args.length === 1 && args[0] === '-i') {
      // Interactive mode: one command per line on stdin, words split as a shell would (quotes).
      for (const line of (input ?? '').split('\n')) {
        const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
        if (words[0] === 'add-generic-password') stored = words[words.indexOf('-w') + 1] ?? null;
      }
    } else if (file === 'security' && args[0] === 'find-generic-password') {
      if (stored === null) throw new Error('exit 44');
      return `${stored}\n`;
    } else throw new Error(`unexpected ${file}`);
    return '';
  };
  return { exec, calls, stored: () => stored };
}

describe('AES-GCM envelope', () => {
  it('round-trips and detects tampering', () => {
    const key = randomBytes(32);
    const box = aesGcmEncrypt(key, 'gb-secret-ÄÖ');
    expect(box.includes(Buffer.from('gb-secret'))).toBe(false);
    expect(aesGcmDecrypt(key, box)).toBe('gb-secret-ÄÖ');
    const bad = Buffer.from(box);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    expect(() => aesGcmDecrypt(key, bad)).toThrow();
    expect(() => aesGcmDecrypt(randomBytes(32), box)).toThrow();
  });
});

describe.each([
  ['linux', linuxSecretToolCipher, 'secret-tool'],
  ['macos', macKeychainCipher, 'security'],
])('%s master-key cipher', (_name, make, tool) => {
  it('creates one master key in the OS store and never passes a Gameball key to the tool', () => {
    const store = fakeKeyStore();
    const cipher = make(store.exec);
    expect(cipher.available()).toBe(true);
    const box = cipher.encrypt('my-gameball-secret');
    expect(store.stored()).toMatch(/^[0-9a-f]{64}$/);
    for (const c of store.calls) {
      expect(c.file).toBe(tool);
      expect(JSON.stringify(c)).not.toContain('my-gameball-secret');
    }
    // A new process (fresh cipher object) reads the same master key back.
    expect(make(store.exec).decrypt(box)).toBe('my-gameball-secret');
  });

  it('never puts the master key on a command line, where every local user sees it (ps)', () => {
    const store = fakeKeyStore();
    make(store.exec).encrypt('my-gameball-secret');
    const master = store.stored();
    expect(master).toMatch(/^[0-9a-f]{64}$/);
    expect(store.calls.length).toBeGreaterThan(0);
    for (const c of store.calls) expect(c.args.join(' ')).not.toContain(master);
    // It went to the tool on stdin instead.
    expect(store.calls.some((c) => c.input?.includes(master ?? '-'))).toBe(true);
  });

  it('refuses a key store that silently keeps nothing', () => {
    const store = fakeKeyStore();
    const forgetful: ExecFile = (file, args, input) => {
      if (args[0] === 'find-generic-password' || args[0] === 'lookup') throw new Error('exit 44');
      return store.exec(file, args, input);
    };
    expect(make(forgetful).available()).toBe(false);
  });

  it('is unavailable when the OS store does not work', () => {
    const cipher = make(() => {
      throw new Error('no keyring');
    });
    expect(cipher.available()).toBe(false);
    expect(() => cipher.encrypt('x')).toThrow(/not available/);
  });
});

describe('windows DPAPI cipher', () => {
  it('sends the value on stdin to PowerShell, never on the command line', () => {
    const calls: { args: string[]; input?: string }[] = [];
    const exec: ExecFile = (_file, args, input) => {
      calls.push({ args, input });
      const script = args[args.length - 1] ?? '';
      return script.includes('Unprotect')
        ? Buffer.from(input ?? '', 'base64')
            .toString('utf8')
            .split('')
            .reverse()
            .join('')
        : Buffer.from((input ?? '').split('').reverse().join('')).toString('base64');
    };
    const cipher = windowsDpapiCipher(exec);
    expect(cipher.available()).toBe(true);
    const box = cipher.encrypt('gb-key-123');
    expect(cipher.decrypt(box)).toBe('gb-key-123');
    for (const c of calls) expect(c.args.join(' ')).not.toContain('gb-key-123');
  });
});

describe('createNodeSecretCipher', () => {
  it('picks the platform store', () => {
    const env = {};
    expect(createNodeSecretCipher({ platform: 'darwin', exec: fakeKeyStore().exec, env })?.id).toBe('macos-keychain');
    expect(createNodeSecretCipher({ platform: 'win32', exec: fakeKeyStore().exec, env })?.id).toBe('windows-dpapi');
    expect(createNodeSecretCipher({ platform: 'linux', exec: fakeKeyStore().exec, env })?.id).toBe('linux-secret-service');
    expect(createNodeSecretCipher({ platform: 'aix', exec: fakeKeyStore().exec, env })).toBeNull();
  });

  it.each<NodeJS.Platform>(['linux', 'darwin', 'win32', 'aix'])(
    'uses the master key file on %s when the variable is set, without asking the OS store',
    (platform) => {
      const store = fakeKeyStore();
      const cipher = createNodeSecretCipher({
        platform,
        exec: store.exec,
        env: { [MASTER_KEY_FILE_ENV]: '/somewhere/master.key' },
        dataDir: '/data',
      });
      expect(cipher?.id).toBe('master-key-file');
      expect(store.calls).toHaveLength(0);
    },
  );
});

const posix = process.platform !== 'win32';

describe('master key file cipher', () => {
  let root: string;
  let dataDir: string;
  let keyDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pos-keyfile-'));
    dataDir = join(root, 'data');
    keyDir = join(root, 'keys');
    mkdirSync(dataDir);
    mkdirSync(keyDir, { mode: 0o700 });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates a 0600 file with a random 32-byte key when absent, and a new process reads the same key', () => {
    const file = join(keyDir, 'master.key');
    const cipher = new MasterKeyFileCipher(file, { dataDir });
    expect(cipher.available()).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.trim()).toMatch(/^[0-9a-f]{64}$/);
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    const box = cipher.encrypt('gb-secret-key-1');
    expect(box.includes(Buffer.from('gb-secret-key-1'))).toBe(false);
    expect(text).not.toContain('gb-secret-key-1');
    expect(new MasterKeyFileCipher(file, { dataDir }).decrypt(box)).toBe('gb-secret-key-1');
    // An existing key is never replaced.
    expect(new MasterKeyFileCipher(file, { dataDir }).available()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('uses a key the operator provided (64 hex characters, any case, trailing newline)', () => {
    const file = join(keyDir, 'provided.key');
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('hex').toUpperCase()}\n`, { mode: 0o600 });
    const box = new MasterKeyFileCipher(file, { dataDir }).encrypt('gb-api-key');
    expect(aesGcmDecrypt(key, box)).toBe('gb-api-key');
  });

  it.skipIf(!posix)('refuses a file the group or others can read, saying how to fix it, and accepts it once fixed', () => {
    const file = join(keyDir, 'open.key');
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    chmodSync(file, 0o640);
    const cipher = new MasterKeyFileCipher(file, { dataDir });
    expect(cipher.available()).toBe(false);
    expect(cipher.unavailableReason()).toContain(file);
    expect(cipher.unavailableReason()).toMatch(/other users \(mode 0640\).*chmod 600/);
    expect(() => cipher.encrypt('x')).toThrow(/chmod 600/);
    chmodSync(file, 0o604);
    expect(cipher.available()).toBe(false);
    chmodSync(file, 0o600);
    expect(cipher.available()).toBe(true);
    expect(cipher.unavailableReason()).toBeNull();
  });

  it('refuses a file inside the data folder, also through a symlink, and creates nothing there', () => {
    const inside = join(dataDir, 'master.key');
    const cipher = new MasterKeyFileCipher(inside, { dataDir });
    expect(cipher.available()).toBe(false);
    expect(cipher.unavailableReason()).toMatch(/inside the data folder/);
    expect(() => statSync(inside)).toThrow();

    const nested = join(dataDir, 'logs');
    mkdirSync(nested);
    expect(new MasterKeyFileCipher(join(nested, 'k'), { dataDir }).available()).toBe(false);

    if (posix) {
      const real = join(dataDir, 'real.key');
      writeFileSync(real, randomBytes(32).toString('hex'), { mode: 0o600 });
      const link = join(keyDir, 'link.key');
      symlinkSync(real, link);
      const viaLink = new MasterKeyFileCipher(link, { dataDir });
      expect(viaLink.available()).toBe(false);
      expect(viaLink.unavailableReason()).toMatch(/inside the data folder/);
    }
  });

  it('refuses a malformed key, a folder, and a missing folder, never printing the content', () => {
    const bad = join(keyDir, 'short.key');
    const content = 'abcdef0123456789';
    writeFileSync(bad, content, { mode: 0o600 });
    const short = new MasterKeyFileCipher(bad, { dataDir });
    expect(short.available()).toBe(false);
    expect(short.unavailableReason()).toMatch(/64 hex characters/);
    expect(short.unavailableReason()).not.toContain(content);

    const folder = new MasterKeyFileCipher(keyDir, { dataDir });
    expect(folder.available()).toBe(false);
    expect(folder.unavailableReason()).toMatch(/not a regular file/);

    const nowhere = new MasterKeyFileCipher(join(root, 'missing', 'master.key'), { dataDir });
    expect(nowhere.available()).toBe(false);
    expect(nowhere.unavailableReason()).toMatch(/create the folder first/);
    expect(() => statSync(join(root, 'missing'))).toThrow();
  });

  it('does not create a key to decrypt with', () => {
    const file = join(keyDir, 'absent.key');
    const cipher = new MasterKeyFileCipher(file, { dataDir });
    expect(() => cipher.decrypt(aesGcmEncrypt(randomBytes(32), 'x'))).toThrow(/does not exist/);
    expect(() => statSync(file)).toThrow();
  });
});
