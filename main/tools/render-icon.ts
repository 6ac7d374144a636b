// `npx tsx main/tools/render-icon.ts`: renders the app icon (assets/icon.svg) into the images the
// packages and browser mode use, with the Chromium the end-to-end tests use (Debian's
// /usr/bin/chromium, or $POS_COMPANION_CHROMIUM). Run it after changing the SVG; commit the output.
//   assets/icon.png               1024x1024: electron-builder makes the Windows .ico, the macOS
//                                 .icns and the Linux icons from it (electron-builder.yml `icon`)
//   renderer/public/favicon.ico   16, 32 and 48 px: browser mode's favicon (vite copies public/)
//   renderer/public/icon-256.png  the window icon on Linux (main/index.ts), the page's larger icon
//   renderer/public/tray.png      16 px (and tray@2x.png, 32 px, for high-density screens): the
//                                 tray / menu bar icon (main/electron/tray.ts)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumExecutable } from '../../playwright.config.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SVG = join(repoRoot, 'assets/icon.svg');

/** An .ico holding PNG images (Windows Vista and later, every browser). */
export function icoFromPngs(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = Buffer.alloc(16 * images.length);
  let offset = header.length + entries.length;
  images.forEach(({ size, png }, i) => {
    const e = i * 16;
    entries.writeUInt8(size >= 256 ? 0 : size, e);
    entries.writeUInt8(size >= 256 ? 0 : size, e + 1);
    entries.writeUInt16LE(1, e + 4);
    entries.writeUInt16LE(32, e + 6);
    entries.writeUInt32LE(png.length, e + 8);
    entries.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, entries, ...images.map((i) => i.png)]);
}

/** PNGs of the SVG at each size, transparent where the icon is. */
export async function renderIcon(svg: string, sizes: number[]): Promise<Map<number, Buffer>> {
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    const out = new Map<number, Buffer>();
    for (const size of sizes) {
      await page.setViewportSize({ width: size, height: size });
      const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
      out.set(size, await page.locator('svg').screenshot({ omitBackground: true }));
    }
    return out;
  } finally {
    await browser.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const svg = readFileSync(SVG, 'utf8');
  const png = await renderIcon(svg, [16, 32, 48, 256, 1024]);
  const at = (n: number): Buffer => png.get(n) as Buffer;
  writeFileSync(join(repoRoot, 'assets/icon.png'), at(1024));
  writeFileSync(join(repoRoot, 'renderer/public/icon-256.png'), at(256));
  writeFileSync(join(repoRoot, 'renderer/public/favicon.ico'), icoFromPngs([16, 32, 48].map((size) => ({ size, png: at(size) }))));
  writeFileSync(join(repoRoot, 'renderer/public/tray.png'), at(16));
  writeFileSync(join(repoRoot, 'renderer/public/tray@2x.png'), at(32));
  process.stdout.write('Rendered assets/icon.png, renderer/public/favicon.ico, icon-256.png, tray.png and tray@2x.png\n');
}
