import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseFile, resolveDataDir } from '../../../main/db/paths.ts';

describe('resolveDataDir', () => {
  it('--data-dir wins, then POS_COMPANION_DATA_DIR, then the app-data folder Electron uses', () => {
    const env = { POS_COMPANION_DATA_DIR: '/srv/till', APPDATA: 'C:\\Users\\a\\AppData\\Roaming', XDG_CONFIG_HOME: '/xdg' };
    expect(resolveDataDir({ flag: 'rel/dir', env })).toBe(resolve('rel/dir'));
    expect(resolveDataDir({ env })).toBe('/srv/till');
  });

  it.each([
    ['win32', { APPDATA: '/appdata' }, '/appdata/POS Companion'],
    ['darwin', {}, '/home/u/Library/Application Support/POS Companion'],
    ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/POS Companion'],
    ['linux', {}, '/home/u/.config/POS Companion'],
  ] as const)('%s %j -> %s', (platform, env, dir) => {
    expect(resolveDataDir({ env, platform, home: '/home/u' }).replaceAll('\\', '/')).toBe(dir);
  });

  it('names the database file inside the folder', () => {
    expect(databaseFile('/d')).toMatch(/[\\/]d[\\/]pos-companion\.db$/);
  });
});
