// What the installers need for updates and per-machine installs, read from electron-builder.yml
// (the build itself needs NSIS, a Mac and certificates: not run here).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINE_MARKER } from '../../../main/machine-folder.ts';

const repoRoot = join(import.meta.dirname, '../../..');
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const cfg = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
  publish: Array<{ provider: string; url: string; channel: string }>;
  mac: { target: Array<{ target: string }> };
  nsis: { oneClick: boolean; perMachine: boolean; include: string; deleteAppDataOnUninstall: boolean };
};

describe('packaging for updates', () => {
  it('publishes to a generic HTTPS server on the latest channel (latest*.yml written by the build)', () => {
    expect(cfg.publish).toEqual([{ provider: 'generic', url: expect.stringMatching(/^https:\/\//), channel: 'latest' }]);
  });

  it('macOS ships a zip beside the dmg: the updater installs from the zip', () => {
    expect(cfg.mac.target.map((t) => t.target)).toEqual(['dmg', 'zip']);
  });

  it('Windows: the installer offers per-user or per-machine, and a per-machine install writes the marker the app reads', () => {
    expect(cfg.nsis).toMatchObject({
      oneClick: false,
      perMachine: false,
      include: 'assets/installer.nsh',
      deleteAppDataOnUninstall: false,
    });
    const script = readFileSync(join(repoRoot, cfg.nsis.include), 'utf8');
    expect(script).toMatch(/!macro customInstall[\s\S]*\$installMode == "all"/);
    expect(script).toContain(`$APPDATA\\POS Companion\\${MACHINE_MARKER}"`);
    expect(script).toMatch(/icacls .*\*S-1-5-32-545:\(OI\)\(CI\)M/);
  });
});
