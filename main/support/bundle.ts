// The support bundle: one zip a till's IT sends to support, with what is needed to diagnose the
// till and nothing that must not leave it. The entry point (main/cli/support.ts) collects the
// pieces from the engine; this file reads the logs, describes the system, and zips it all, every
// file passed through `redact` (redact.ts: no key, no token, no customer mobile in clear).
//
// Entries: manifest.json (version, when, what is inside and what could not be collected),
// status.json (as `status --json` prints it), settings.json (no secret: keys only as set/not set),
// database.json (quick_check, schema version, sizes), scanner.json (mode, HID devices),
// system.json (OS, Node, free space), logs/<file> (the log and its rotated files, newest first).
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, freemem, hostname, platform, release, totalmem, type, uptime, version as osVersion } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { DatabaseFacts } from './database-facts.ts';

/** The log files of a data folder are read up to this many bytes in all (newest first). */
export const MAX_LOG_BYTES = 64 * 1024 * 1024;

const LOG_NAME = /^pos-companion\.log(?:\.(\d+))?$/;

export interface SupportBundleInput {
  createdAt: Date;
  version: string;
  dataDir: string;
  /** What `status --json` prints, or why it could not be had. */
  status: unknown;
  settings: unknown;
  database: DatabaseFacts;
  scanner: unknown;
  /** Things that could not be collected, one sentence each (also in the manifest). */
  problems: string[];
  /** Applied to every file's text before it is zipped. */
  redact: (text: string) => string;
}

export interface SupportBundle {
  zip: Uint8Array;
  /** The entries' names, in the zip's order. */
  entries: string[];
}

/** The log files in `<dataDir>/logs`, newest first (`pos-companion.log`, `.1`, `.2`, ...). */
export function logFilesIn(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dataDir, 'logs'));
  } catch {
    return [];
  }
  const rank = (n: string): number => Number(LOG_NAME.exec(n)?.[1] ?? 0);
  return names.filter((n) => LOG_NAME.test(n)).sort((a, b) => rank(a) - rank(b));
}

export function systemInfo(dataDir: string): Record<string, unknown> {
  let disk: { freeBytes: number; totalBytes: number } | { error: string };
  try {
    const s = statfsSync(dataDir);
    disk = { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch (err) {
    disk = { error: err instanceof Error ? err.message : String(err) };
  }
  const cpu = cpus();
  return {
    os: { platform: platform(), type: type(), release: release(), version: osVersion(), arch: arch() },
    hostname: hostname(),
    cpus: { count: cpu.length, model: cpu[0]?.model ?? null },
    memory: { totalBytes: totalmem(), freeBytes: freemem() },
    uptimeSeconds: Math.round(uptime()),
    node: process.versions.node,
    electron: process.versions.electron ?? null,
    dataFolderDisk: disk,
  };
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export function buildSupportBundle(input: SupportBundleInput): SupportBundle {
  const problems = [...input.problems];
  const files: [string, string][] = [
    ['status.json', json(input.status)],
    ['settings.json', json(input.settings)],
    ['database.json', json(input.database)],
    ['scanner.json', json(input.scanner)],
    ['system.json', json(systemInfo(input.dataDir))],
  ];
  let logBytes = 0;
  for (const name of logFilesIn(input.dataDir)) {
    try {
      const text = readFileSync(join(input.dataDir, 'logs', name), 'utf8');
      if (logBytes + text.length > MAX_LOG_BYTES) {
        problems.push(`logs/${name} and older logs were left out (more than ${MAX_LOG_BYTES / 1024 / 1024} MiB of logs)`);
        break;
      }
      logBytes += text.length;
      files.push([`logs/${name}`, text]);
    } catch (err) {
      problems.push(`logs/${name} could not be read (${(err as { code?: string }).code ?? String(err)})`);
    }
  }
  const manifest = {
    app: 'POS Companion',
    version: input.version,
    createdAt: input.createdAt.toISOString(),
    dataDir: input.dataDir,
    files: files.map(([n]) => n),
    problems,
    note: 'Keys, tokens and passwords are replaced by [Redacted]; customer mobiles are masked (+9665*****234).',
  };
  const all: [string, string][] = [['manifest.json', json(manifest)], ...files];
  const zippable: Zippable = {};
  for (const [name, text] of all) zippable[name] = [strToU8(input.redact(text)), { mtime: input.createdAt }];
  return { zip: zipSync(zippable, { level: 6 }), entries: all.map(([n]) => n) };
}
