// Where the till keeps its data. Precedence: --data-dir, then POS_COMPANION_DATA_DIR, then the
// per-user app-data folder Electron's app.getPath('userData') gives for productName
// "POS Companion", so the CLI and the desktop app share one folder.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const PRODUCT_NAME = 'POS Companion';
export const DB_FILE_NAME = 'pos-companion.db';

export interface DataDirInputs {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export function defaultDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), PRODUCT_NAME);
}

export function resolveDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  if (inputs.flag) return resolve(inputs.flag);
  const fromEnv = env.POS_COMPANION_DATA_DIR;
  if (fromEnv) return resolve(fromEnv);
  return defaultDataDir(inputs.platform ?? process.platform, env, inputs.home ?? homedir());
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}
