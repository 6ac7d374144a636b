// Where the till keeps its data. Precedence: --data-dir, then POS_COMPANION_DATA_DIR, then the
// per-machine folder on a till installed for all users (main/machine-folder.ts), then the
// per-user app-data folder Electron's app.getPath('userData') gives for productName
// "POS Companion", so the CLI and the desktop app share one folder.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { chooseDataFolder, installMode, machineDataDir, type FolderChoice } from '../machine-folder.ts';
import { DB_FILE_NAME, PRODUCT_NAME } from './file-names.ts';

export { DB_FILE_NAME, PRODUCT_NAME };

export interface DataDirInputs {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** For tests: whether a file exists (the per-machine marker). */
  exists?: (path: string) => boolean;
}

export function defaultDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), PRODUCT_NAME);
}

export function resolveDataDir(inputs: DataDirInputs = {}): string {
  return resolveDataFolder(inputs).dir;
}

/** resolveDataDir with how it chose: the install mode and what moving a per-user queue did. */
export function resolveDataFolder(inputs: DataDirInputs = {}): FolderChoice {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const userDir = defaultDataDir(platform, env, inputs.home ?? homedir());
  const given = inputs.flag ? resolve(inputs.flag) : env.POS_COMPANION_DATA_DIR ? resolve(env.POS_COMPANION_DATA_DIR) : null;
  if (given !== null) return { dir: given, mode: 'per-user', userDir, adopt: { kind: 'nothing' } };
  const mode = installMode({ platform, env, exists: inputs.exists ?? existsSync });
  return chooseDataFolder({ mode, userDir, machineDir: machineDataDir(platform, env) });
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}
