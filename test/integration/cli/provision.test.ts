// `pos-companion provision FILE` as IT runs it: a real process on a real data folder, the keys
// under a master key file (no OS key store on CI).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/till-fixture.ts';
import { runCliSync } from '../../support/cli-run.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup() {
  const t = tempDir('pos-cli-provision-');
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, 'keys'), { mode: 0o700 });
  const keyFile = join(t.dir, 'keys', 'master.key');
  const data = join(t.dir, 'data');
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCliSync([...args, '--data-dir', data], { env: { POS_COMPANION_MASTER_KEY_FILE: keyFile, ...extraEnv } });
  return { root: t.dir, data, run };
}

describe('pos-companion provision', () => {
  it('applies a file, stores the keys encrypted, removes them from the file', () => {
    const { root, run } = setup();
    const file = join(root, 'provision.json');
    writeFileSync(
      file,
      JSON.stringify({
        store: { id: 'S1' },
        currency: 'EGP',
        country: 'EG',
        gameball: { apiKey: 'cli-api-key-123456', secretKey: 'cli-secret-key-123456' },
      }),
    );
    const r = run(['provision', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Provisioned: settings changed: storeId, currency, country; keys stored encrypted: apiKey, secretKey; keys removed from /,
    );
    expect(r.stdout).not.toContain('cli-api-key-123456');
    expect(readFileSync(file, 'utf8')).not.toContain('cli-api-key-123456');
    expect(run(['config', 'get', 'currency']).stdout).toBe('EGP\n');
    expect(run(['config', 'get', 'apiKey']).stdout).toBe('set\n');
  });

  it('an invalid file exits 2 with each problem by field and creates nothing', () => {
    const { root, data, run } = setup();
    const file = join(root, 'provision.json');
    writeFileSync(file, JSON.stringify({ language: 'fr', branch: { name: 'no id' } }));
    const r = run(['provision', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused; nothing was applied:/);
    expect(r.stderr).toMatch(/language: /);
    expect(r.stderr).toMatch(/branch\.id: /);
    expect(existsSync(data)).toBe(false);
  });

  it('--from-env reads the MDM variables', () => {
    const { run } = setup();
    const r = run(['provision', '--from-env'], { POS_COMPANION_STORE_ID: 'mdm-store', POS_COMPANION_UPDATE_CHANNEL: 'beta' });
    expect(r.code, r.stderr).toBe(0);
    expect(run(['config', 'get', 'update.channel']).stdout).toBe('beta\n');
    expect(run(['provision', '--from-env']).code).toBe(2);
  });
});
