// The static security gate and the packaging config: the check must fail on insecure Electron code
// (so a pass means something), pass on ours, and the package must unpack the native add-ons.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronSources, runSecurityCheck } from '../../../main/tools/security-check.ts';
import { contentSecurityPolicy } from '../../../main/web/security.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('electronegativity gate', () => {
  it('passes on the shell and preload: no medium or high findings, every file parsed', async () => {
    const report = await runSecurityCheck(electronSources());
    expect(report.parseErrors).toEqual([]);
    expect(report.failing).toEqual([]);
    expect(report.checks).toBeGreaterThan(30);
  });

  it('fails on a window without isolation, web security, CSP, permission handler or navigation limits', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pos-insecure-'));
    try {
      mkdirSync(join(root, 'main'));
      const file = join(root, 'main', 'index.js');
      writeFileSync(
        file,
        "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false } });\n",
      );
      const report = await runSecurityCheck([file], root);
      const ids = report.failing.map((f) => f.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'CONTEXT_ISOLATION_JS_CHECK',
          'WEB_SECURITY_JS_CHECK',
          'CSP_GLOBAL_CHECK',
          'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
          'LIMIT_NAVIGATION_GLOBAL_CHECK',
        ]),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the CSP the session adds is the same policy browser mode and app:// send', () => {
    const source = readFileSync(join(repoRoot, 'main/electron/harden.ts'), 'utf8');
    const literal = /'Content-Security-Policy': \[\s*"([^"]+)"/.exec(source)?.[1];
    expect(literal).toBe(contentSecurityPolicy());
  });
});

describe('packaging', () => {
  it('electron-builder.yml is valid and ships the native add-ons unpacked, for Windows and macOS', async () => {
    const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
    const cfg = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    const { validateConfiguration } = (await import('app-builder-lib/out/util/config/config.js')) as unknown as {
      validateConfiguration: (c: unknown, l: unknown) => Promise<void>;
    };
    const { DebugLogger } = (await import('builder-util/out/DebugLogger.js')) as unknown as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
    expect(cfg).toMatchObject({ productName: 'POS Companion', asar: true });
    expect(cfg.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/node_modules/node-hid/**']));
    expect(JSON.stringify(cfg.win)).toContain('nsis');
    expect(cfg.mac).toMatchObject({ hardenedRuntime: true, entitlements: 'assets/entitlements.mac.plist' });
    const entitlements = readFileSync(join(repoRoot, 'assets/entitlements.mac.plist'), 'utf8');
    expect(entitlements).toContain('com.apple.security.device.usb');
    expect(entitlements).not.toContain('disable-library-validation');
    // The package's entry is the bundle the build writes.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('build/app/main/index.cjs');
  });
});
