// The log on a real full disk. Before, a full disk made pino's file stream emit an unhandled
// ENOSPC (the process crashed) and its exit handler retry a synchronous flush forever (the process
// hung, deaf to SIGTERM, until space came back). Now the log drops lines and the process goes on.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger, logTrouble } from '../../main/log.ts';
import { mountTmpfs, whyNoTmpfs } from '../support/tmpfs.ts';
import type { Tmpfs } from '../support/tmpfs.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const noTmpfs = whyNoTmpfs();
if (noTmpfs) console.warn(`Log tests on a full tmpfs skipped: ${noTmpfs}`);

/** The log file's text, or '' while it does not exist yet. */
function text(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(noTmpfs !== null)('the log on a full disk', () => {
  let disk: Tmpfs | undefined;
  afterEach(() => {
    disk?.unmount();
    disk = undefined;
  });

  it('keeps logging without an error, drops past its buffer, and writes on once space is back', async () => {
    disk = mountTmpfs({ sizeKb: 256 });
    const file = join(disk.dir, 'logs', 'pos-companion.log');
    const logger = createLogger({ file, fileOptions: { retryMs: 50, maxBufferBytes: 64 * 1024 } });
    logger.info({ n: 0 }, 'before the disk filled');
    await until(() => text(file).includes('before the disk filled'), 5_000);
    disk.fill();
    for (let n = 1; n <= 5_000; n++) logger.info({ n, orderId: `till-1-${n}` }, 'while the disk is full');
    await until(() => logTrouble(logger)?.code === 'ENOSPC', 5_000);
    disk.free();
    logger.info({ n: 9_999 }, 'after space came back');
    await until(() => text(file).includes('after space came back'), 5_000);
    const lines = text(file)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { n?: number; msg: string; dropped?: number });
    // Whole lines, in order; the ones beyond the buffer were dropped and said so.
    const ns = lines.filter((l) => typeof l.n === 'number').map((l) => l.n as number);
    expect([...ns].sort((a, b) => a - b)).toEqual(ns);
    expect(ns[0]).toBe(0);
    expect(ns.at(-1)).toBe(9_999);
    const note = lines.find((l) => l.dropped !== undefined);
    expect(note?.msg).toMatch(/log line\(s\) were dropped while the log file could not be written \(ENOSPC\)/);
    expect((note?.dropped ?? 0) + ns.length - 2).toBe(5_000);
    expect(logTrouble(logger)).toBeNull();
    await closeLogger(logger);
  });

  it('a process that logs on a full disk and exits without closing the log ends at once', async () => {
    disk = mountTmpfs({ sizeKb: 256 });
    const file = join(disk.dir, 'logs', 'pos-companion.log');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/log-child.ts'), file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((r, reject) => {
      child.once('message', () => r());
      child.once('close', (c) => reject(new Error(`the child ended early (${c}): ${stderr}`)));
    });
    disk.fill();
    const started = Date.now();
    child.send('go');
    const code = await new Promise<number | null>((r) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('close', (c) => {
        clearTimeout(t);
        r(c);
      });
    });
    expect(stderr).not.toMatch(/ENOSPC|Unhandled|throw er/);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
