// The log folder stays bounded: size-based rotation through rotating-file-stream on a real folder.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger } from '../../main/log.ts';
import { DEFAULT_LOG_ROTATION, logRotationFromEnv, rotatedLogFiles } from '../../main/log-rotation.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

describe('rotating log', () => {
  it('writing far past the bound keeps the folder under it, the newest lines in the current file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pos-logrot-'));
    dirs.push(dataDir);
    const logs = join(dataDir, 'logs');
    const file = join(logs, 'pos-companion.log');
    const rotation = { fileBytes: 64 * 1024, files: 2 };
    const logger = createLogger({ file, rotation });
    const padding = 'x'.repeat(200);
    const total = 8_000; // ~2.3 MB of lines, 12 times the bound
    for (let n = 1; n <= total; n++) {
      logger.info({ n, padding }, 'line');
      // Let the asynchronous appends keep up: past its memory buffer the log drops lines (by design).
      if (n % 200 === 0) await new Promise<void>((r) => logger.flush(() => r()));
    }
    await closeLogger(logger, 30_000);
    const names = readdirSync(logs).sort();
    expect(names).toEqual(['pos-companion.log', 'pos-companion.log.1', 'pos-companion.log.2']);
    expect(rotatedLogFiles(file, rotation).map((f) => f.slice(logs.length + 1))).toEqual(names);
    // (files + 1) x fileBytes, plus at most one 64 KiB batch past the size that triggered a rotation.
    expect(folderBytes(logs)).toBeLessThanOrEqual(3 * 64 * 1024 + 64 * 1024);
    const ns = (f: string) =>
      readFileSync(f, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { n: number }).n);
    const current = ns(file);
    expect(current.at(-1)).toBe(total);
    // Older files hold older lines, each file in order, and consecutive across the rotation.
    const previous = ns(`${file}.1`);
    expect(previous.at(-1)).toBe((current[0] ?? 0) - 1);
    expect([...current].sort((a, b) => a - b)).toEqual(current);
    // The oldest lines are gone.
    expect(ns(`${file}.2`)[0]).toBeGreaterThan(1);
  }, 60_000);

  it('a log that is already over the size is rotated when it opens', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pos-logrot-'));
    dirs.push(dataDir);
    const file = join(dataDir, 'logs', 'pos-companion.log');
    const rotation = { fileBytes: 64 * 1024, files: 1 };
    let logger = createLogger({ file, rotation: null });
    for (let n = 0; n < 600; n++) logger.info({ n, padding: 'y'.repeat(200) }, 'old');
    await closeLogger(logger);
    expect(statSync(file).size).toBeGreaterThan(64 * 1024);
    logger = createLogger({ file, rotation });
    logger.info('after restart');
    await closeLogger(logger);
    expect(readFileSync(file, 'utf8')).toContain('after restart');
    expect(readFileSync(file, 'utf8')).not.toContain('"old"');
    expect(readFileSync(`${file}.1`, 'utf8')).toContain('"old"');
  });
});

describe('logRotationFromEnv', () => {
  it('reads the size and the count, and keeps the default for anything else', () => {
    expect(logRotationFromEnv({})).toEqual(DEFAULT_LOG_ROTATION);
    expect(logRotationFromEnv({ POS_COMPANION_LOG_FILE_MB: '2', POS_COMPANION_LOG_FILES: '9' })).toEqual({
      fileBytes: 2 * 1024 * 1024,
      files: 9,
    });
    for (const bad of ['0', '-1', '1.5', 'ten', '', '99999'])
      expect(logRotationFromEnv({ POS_COMPANION_LOG_FILE_MB: bad, POS_COMPANION_LOG_FILES: bad })).toEqual(DEFAULT_LOG_ROTATION);
  });
});
