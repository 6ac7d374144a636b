// `pos-companion support-bundle [--out FILE.zip]`: one zip for support (main/support/bundle.ts) with
// the logs, the status, the settings, the database's integrity check, the scanners seen and the
// versions; no key, no token, no customer mobile in clear. stdout: the zip's path; stderr: what is
// in it. Exit 0 written (also when some part could not be collected: the manifest says which);
// 2 --out refused (exists, no such folder, not .zip), nothing written; 1 the zip could not be
// written; 4/5 the data folder cannot be used or its disk is full.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { appVersion } from '../app-version.ts';
import { DataFolderError } from '../data-folder.ts';
import { resolveDataDir } from '../db/paths.ts';
import { createEngine } from '../engine.ts';
import { closeLogger, createLogger, scrubLikeLogger } from '../log.ts';
import { PUSH_PASSWORD_ENV } from '../fleet/health.ts';
import { describeDevice } from '../scanner/devices.ts';
import type { HidTransport } from '../scanner/transport.ts';
import { gameballSync } from '../sync/wiring.ts';
import { dataDirOption, EXIT_REFUSED, oneShotStatus } from './orders.ts';

export interface SupportCommandDeps {
  /** The HID transport for the devices list; default: node-hid, loaded only here. */
  transport?: () => Promise<HidTransport>;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** Environment variables whose values never go into a bundle (the keys, passwords, tokens). */
function secretEnvNames(): string[] {
  return [
    'GAMEBALL_API_KEY',
    'GAMEBALL_SECRET_KEY',
    'GAMEBALL_SIM_API_KEY',
    'GAMEBALL_SIM_SECRET_KEY',
    PUSH_PASSWORD_ENV,
    'POS_COMPANION_SESSION_TOKEN',
  ];
}

async function defaultTransport(): Promise<HidTransport> {
  const { createNodeHidTransport } = await import('../scanner/node-hid-transport.ts');
  return createNodeHidTransport();
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const stamp = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** Why `out` cannot be written, or null. */
function outProblem(out: string): string | null {
  if (!out.toLowerCase().endsWith('.zip')) return `--out ${out}: the file name must end in .zip`;
  if (existsSync(out)) return `${out} already exists: give another --out, or move that file away`;
  try {
    if (!statSync(dirname(out)).isDirectory()) return `${dirname(out)} is not a folder`;
  } catch {
    return `the folder ${dirname(out)} does not exist`;
  }
  return null;
}

export function registerSupportCommands(program: Command, deps: SupportCommandDeps = {}): void {
  program
    .command('support-bundle')
    .description(
      'Write one zip for support: logs, status, settings, database check, scanners, versions (no key, no customer mobile in clear)',
    )
    .addOption(dataDirOption())
    .option('--out <file.zip>', 'where to write it (default: pos-companion-support-<till>-<time>.zip here)')
    .action(async (flags: { dataDir?: string; out?: string }) => {
      const env = deps.env ?? process.env;
      const now = (deps.now ?? (() => new Date()))();
      const dataDir = resolveDataDir({ flag: flags.dataDir, env });
      if (flags.out !== undefined) {
        const problem = outProblem(resolve(flags.out));
        if (problem !== null) {
          process.stderr.write(`pos-companion: ${problem}. Nothing was written.\n`);
          process.exitCode = EXIT_REFUSED;
          return;
        }
      }
      // Loaded here, not at start: the zip library is for this command only.
      const [{ buildSupportBundle }, { readDatabaseFacts }, { redactor }] = await Promise.all([
        import('../support/bundle.ts'),
        import('../support/database-facts.ts'),
        import('../support/redact.ts'),
      ]);
      const problems: string[] = [];
      // Before the engine opens: a damaged database is described as found, not after it was set aside.
      const { facts: database, customerIds } = readDatabaseFacts(dataDir);
      if (database.error !== null) problems.push(`database: ${database.error}`);

      const logger = createLogger({ file: `${dataDir}/logs/pos-companion.log`, name: 'support' });
      let status: unknown = { error: 'not collected' };
      let settings: unknown = { error: 'not collected' };
      let scannerSettings: unknown = null;
      let tillId = 'till';
      let zip: Uint8Array;
      let entries: string[];
      try {
        const engine = await createEngine({ dataDir, startSync: false, sync: gameballSync(), logger, env }).catch((err: unknown) => {
          if (err instanceof DataFolderError) throw err;
          problems.push(`the till could not open its database: ${message(err)}`);
          return null;
        });
        try {
          if (engine) {
            const s = engine.getSettings();
            tillId = s.tillId;
            status = { ...oneShotStatus(engine.status()), tillId: s.tillId, dataDir: engine.dataDir };
            settings = s;
            scannerSettings = s.scanner;
            if (engine.notices.length > 0) status = { ...(status as object), notices: engine.notices };
          }
          const scanner = { settings: scannerSettings, devices: await listDevices(deps.transport ?? defaultTransport, problems) };
          const secrets = secretEnvNames()
            .map((k) => env[k])
            .filter((v): v is string => typeof v === 'string' && v.length > 0);
          const redactRest = redactor({ secrets, customerIds });
          // While the engine is open its key store is registered with the logger: its values are scrubbed too.
          const redact = (text: string): string => redactRest(scrubLikeLogger(logger, text));
          ({ zip, entries } = buildSupportBundle({
            createdAt: now,
            version: appVersion(),
            dataDir,
            status,
            settings,
            database,
            scanner,
            problems,
            redact,
          }));
        } finally {
          await engine?.close();
        }
      } finally {
        await closeLogger(logger);
      }
      const out = resolve(flags.out ?? `pos-companion-support-${tillId}-${stamp(now)}.zip`);
      try {
        // 'wx': never over a file that appeared meanwhile; private like every file the CLI writes.
        writeFileSync(out, zip, { flag: 'wx', mode: 0o600 });
      } catch (err) {
        process.stderr.write(
          `pos-companion: the support bundle could not be written to ${out} (${(err as { code?: string }).code ?? message(err)}).\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${out}\n`);
      process.stderr.write(
        `Support bundle: ${entries.length} files, ${Math.ceil(zip.length / 1024)} KiB (${entries.join(', ')}).\n` +
          (problems.length > 0 ? `Not collected: ${problems.join('; ')}.\n` : '') +
          'Keys, tokens and customer mobiles are not in it in clear. Send the file to support.\n',
      );
    });
}

/** The HID devices as `devices --json` lists them, or null after noting why they could not be listed. */
async function listDevices(transport: () => Promise<HidTransport>, problems: string[]): Promise<unknown> {
  try {
    const t = await transport();
    return (await t.list()).map((d) => describeDevice(d, process.platform));
  } catch (err) {
    problems.push(`scanner devices: ${message(err)}`);
    return null;
  }
}
