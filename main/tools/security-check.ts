// `npm run security`: electronegativity over the Electron code (the shell, its helpers and the
// preload), failing on any medium or higher finding and on any file it could not parse (a file
// it skipped would otherwise pass unchecked). Findings that a person reviewed are silenced in the
// source with `// eng-disable CHECK_ID` next to a comment saying why.
// The release-feed check is left out: it needs the network and the Electron version is pinned.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronVersion } from './electron-binary.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The Electron code: what runs with Electron's APIs in reach. */
export function electronSources(root = repoRoot): string[] {
  const electronDir = join(root, 'main', 'electron');
  const helpers = readdirSync(electronDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(electronDir, f));
  return [join(root, 'main', 'index.ts'), ...helpers, join(root, 'preload', 'index.ts')];
}

export interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  line: number;
  manualReview: boolean;
  description: string;
}

export interface SecurityReport {
  findings: Finding[];
  failing: Finding[];
  parseErrors: Array<{ file: string; message: string }>;
  checks: number;
}

const FAILING_SEVERITIES = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

interface RawIssue {
  id: string;
  severity: { name: string };
  confidence: { name: string };
  file: string;
  location: { line: number };
  manualReview?: boolean;
  description?: string;
}
type Runner = (
  options: Record<string, unknown>,
  forCli: boolean,
) => Promise<{
  issues: RawIssue[];
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
  globalChecks: number;
  atomicChecks: number;
}>;

/**
 * The tool fetches fresh translations and Electron's release feed over HTTP. The check must give
 * the same answer offline and never wait on the network: its HTTP client answers "offline" at once
 * (it then uses its bundled English texts).
 */
function offlineHttp(require: NodeJS.Require): void {
  const toolRequire = createRequire(require.resolve('@doyensec/electronegativity'));
  const gotPath = toolRequire.resolve('got');
  const offline = () => Promise.reject(new Error('offline'));
  const stub = Object.assign(offline, { head: offline, get: offline });
  require.cache[gotPath] = {
    id: gotPath,
    filename: gotPath,
    loaded: true,
    exports: { __esModule: true, default: stub },
  } as unknown as NodeJS.Module;
}

/** Runs the checks over `files` (copied together so the global checks see them as one app). */
export async function runSecurityCheck(files: readonly string[], root = repoRoot): Promise<SecurityReport> {
  const work = mkdtempSync(join(tmpdir(), 'pos-companion-security-'));
  try {
    for (const f of files) cpSync(f, join(work, relative(root, f)));
    const require = createRequire(import.meta.url);
    offlineHttp(require);
    const run = require('@doyensec/electronegativity') as Runner;
    // It prints progress notes (translations, release feed) with console.log; keep stdout for the report.
    const log = console.log;
    console.log = () => {};
    let result: Awaited<ReturnType<Runner>>;
    try {
      result = await run(
        { input: work, isRelative: true, excludeFromScan: EXCLUDED_CHECKS, customScan: [], electronVersionOverride: electronVersion() },
        false,
      );
    } finally {
      console.log = log;
    }
    const findings = result.issues.map((i) => ({
      id: i.id,
      severity: i.severity.name,
      confidence: i.confidence.name,
      file: i.file,
      line: i.location.line,
      manualReview: i.manualReview === true,
      description: (i.description ?? '').replace(/\s+/g, ' ').trim(),
    }));
    return {
      findings,
      failing: findings.filter((f) => FAILING_SEVERITIES.has(f.severity)),
      parseErrors: result.errors.filter((e) => !e.tolerable).map((e) => ({ file: relative(work, e.file), message: e.message })),
      checks: result.globalChecks + result.atomicChecks,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const files = electronSources();
  runSecurityCheck(files).then(
    (report) => {
      const out = process.stdout;
      out.write(`electronegativity: ${report.checks} checks over ${files.length} files\n`);
      for (const f of report.findings)
        out.write(`  ${f.severity.padEnd(13)} ${f.id} ${f.file}:${f.line}${f.manualReview ? ' (review)' : ''}\n`);
      for (const e of report.parseErrors) out.write(`  could not parse ${e.file}: ${e.message}\n`);
      const ok = report.failing.length === 0 && report.parseErrors.length === 0;
      out.write(
        ok
          ? 'No medium or high findings.\n'
          : `${report.failing.length} medium/high finding(s), ${report.parseErrors.length} unparsed file(s): failing.\n`,
      );
      process.exitCode = ok ? 0 : 1;
    },
    (err: unknown) => {
      process.stderr.write(`security check failed to run: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
