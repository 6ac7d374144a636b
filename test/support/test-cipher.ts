// A SecretCipher for tests: real AES-256-GCM with a key held in memory (the OS key stores are
// not reachable on a CI machine). Same envelope as the Node ciphers use.
import { randomBytes } from 'node:crypto';
import { aesGcmDecrypt, aesGcmEncrypt } from '../../main/config/node-cipher.ts';
import type { SecretCipher } from '../../main/config/secrets.ts';

export function testCipher(id = 'test-aes', key: Buffer = randomBytes(32)): SecretCipher {
  return { id, available: () => true, encrypt: (p) => aesGcmEncrypt(key, p), decrypt: (b) => aesGcmDecrypt(key, b) };
}

export const unavailableCipher: SecretCipher = {
  id: 'none',
  available: () => false,
  encrypt: () => {
    throw new Error('unavailable cipher used');
  },
  decrypt: () => {
    throw new Error('unavailable cipher used');
  },
};
