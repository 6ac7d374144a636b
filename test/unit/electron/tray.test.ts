// The tray's image: the app icon drawn for the tray when the app has it, the fallback square when
// it cannot be read (a till must keep syncing in the background even without its images).
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { shellTexts } from '../../../main/electron/shell-texts.ts';
import { createFakeElectron } from '../../support/fake-electron.ts';

const fake = createFakeElectron();
vi.mock('electron', () => fake.electron);
const { createTillTray } = await import('../../../main/electron/tray.ts');

const dir = mkdtempSync(join(tmpdir(), 'pos-tray-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open = () => {};

it('draws the app icon made for the tray', () => {
  const icon = join(dir, 'tray.png');
  copyFileSync(join(import.meta.dirname, '../../../renderer/public/tray.png'), icon);
  const tray = createTillTray({ texts: shellTexts('en'), owed: 2, iconPath: icon, onOpen: open, onQuit: open });
  expect(fake.state.trays.at(-1)?.image).toEqual({ path: icon });
  expect(fake.state.trays.at(-1)?.tooltip).toBe('POS Companion: 2 orders waiting');
  tray.destroy();
});

it('falls back to a plain square when the icon is missing or not an image', () => {
  createTillTray({ texts: shellTexts('en'), owed: 1, iconPath: join(dir, 'absent.png'), onOpen: open, onQuit: open });
  expect(fake.state.trays.at(-1)?.image.url).toMatch(/^data:image\/png;base64,/);
  const broken = join(dir, 'broken.png');
  writeFileSync(broken, 'not a picture');
  createTillTray({ texts: shellTexts('en'), owed: 1, iconPath: broken, onOpen: open, onQuit: open });
  expect(fake.state.trays.at(-1)?.image.url).toMatch(/^data:image\/png;base64,/);
});
