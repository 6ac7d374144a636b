import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesGcmDecrypt, aesGcmEncrypt, createNodeSecretCipher, linuxSecretToolCipher, macKeychainCipher, windowsDpapiCipher } from '../../../main/config/node-cipher.ts';
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
    else if (file === 'security' && args[0] === 'find-generic-password') {
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
      return script.includes('Unprotect') ? Buffer.from(input ?? '', 'base64').toString('utf8').split('').reverse().join('') : Buffer.from((input ?? '').split('').reverse().join('')).toString('base64');
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
    expect(createNodeSecretCipher('darwin', fakeKeyStore().exec)?.id).toBe('macos-keychain');
    expect(createNodeSecretCipher('win32', fakeKeyStore().exec)?.id).toBe('windows-dpapi');
    expect(createNodeSecretCipher('linux', fakeKeyStore().exec)?.id).toBe('linux-secret-service');
    expect(createNodeSecretCipher('aix', fakeKeyStore().exec)).toBeNull();
  });
});
