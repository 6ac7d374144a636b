// Per-machine paths on each platform (the platform injected) and how the install mode is chosen.
import { describe, expect, it } from 'vitest';
import { resolveDataDir, resolveDataFolder } from '../../main/db/paths.ts';
import { installMode, machineDataDir } from '../../main/machine-folder.ts';

describe('per-machine data folder', () => {
  it.each([
    ['win32', { ProgramData: 'D:\\ProgramData' }, 'D:\\ProgramData\\POS Companion'],
    ['win32', { PROGRAMDATA: 'C:\\ProgramData' }, 'C:\\ProgramData\\POS Companion'],
    ['win32', {}, 'C:\\ProgramData\\POS Companion'],
    ['darwin', {}, '/Library/Application Support/POS Companion'],
    ['linux', {}, '/var/lib/pos-companion'],
  ] as const)('%s %j -> %s', (platform, env, dir) => {
    expect(machineDataDir(platform, env)).toBe(dir);
  });

  it('the mode: the environment first, then the marker file the installer left in the machine folder', () => {
    const marker = (platform: NodeJS.Platform) => (p: string) =>
      p.replaceAll('\\', '/') === `${machineDataDir(platform, {}).replaceAll('\\', '/')}/per-machine`;
    expect(installMode({ platform: 'win32', env: {}, exists: () => false })).toBe('per-user');
    expect(installMode({ platform: 'win32', env: {}, exists: marker('win32') })).toBe('per-machine');
    expect(installMode({ platform: 'darwin', env: {}, exists: marker('darwin') })).toBe('per-machine');
    expect(installMode({ platform: 'linux', env: {}, exists: marker('linux') })).toBe('per-machine');
    expect(installMode({ platform: 'linux', env: { POS_COMPANION_INSTALL: 'per-machine' }, exists: () => false })).toBe('per-machine');
    expect(installMode({ platform: 'linux', env: { POS_COMPANION_INSTALL: 'per-user' }, exists: marker('linux') })).toBe('per-user');
  });

  it('resolveDataDir: --data-dir and POS_COMPANION_DATA_DIR still win over a per-machine install', () => {
    const env = { POS_COMPANION_INSTALL: 'per-machine', POS_COMPANION_DATA_DIR: '/srv/till' };
    expect(resolveDataDir({ env, platform: 'linux', home: '/home/u' })).toBe('/srv/till');
    expect(resolveDataFolder({ env: { POS_COMPANION_INSTALL: 'per-machine' }, platform: 'darwin', home: '/nonexistent-home' })).toEqual({
      dir: '/Library/Application Support/POS Companion',
      mode: 'per-machine',
      userDir: '/nonexistent-home/Library/Application Support/POS Companion',
      adopt: { kind: 'nothing' },
    });
  });
});
