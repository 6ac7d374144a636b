// Gameball keys at rest in the desktop app: Electron safeStorage (DPAPI on Windows, the Keychain
// on macOS, the Secret Service / KWallet on Linux). Linux's "basic_text" backend is a fixed key in
// the binary, i.e. no protection: it counts as unavailable, so keys are refused rather than stored
// as good as plain text.
import { safeStorage } from 'electron';
import type { SecretCipher } from '../config/secrets.ts';

export function createSafeStorageCipher(platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    id: 'electron-safestorage-v1',
    available() {
      if (!safeStorage.isEncryptionAvailable()) return false;
      return platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (cipher) => safeStorage.decryptString(cipher),
  };
}
