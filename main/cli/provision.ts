// `pos-companion provision FILE` / `provision --from-env`: applies a provisioning (store, branch,
// currency, country, scanner mode, language, update channel, Gameball keys; main/provision) to this
// till. A refused file or environment applies nothing and exits 2 with every problem by field; keys
// are stored encrypted and removed from the file. Prints what was set, never a value of a key.
import type { Command } from 'commander';
import { SecretsUnavailableError } from '../config/secrets.ts';
import { applyProvisioningFile, applyProvisioningFromEnv, ProvisionError, readProvisioningFile } from '../provision/apply.ts';
import { PROVISION_ENV } from '../provision/schema.ts';
import { dataDirOption, EXIT_REFUSED, runWithEngine } from './orders.ts';

function refuse(err: unknown): void {
  if (!(err instanceof ProvisionError || err instanceof SecretsUnavailableError)) throw err;
  process.stderr.write(`pos-companion: ${err.message}\n`);
  process.exitCode = EXIT_REFUSED;
}

function say(r: { settings: string[]; keys: string[]; keysRemovedFromFile?: boolean }, file?: string): void {
  const parts = [
    r.settings.length > 0 ? `settings changed: ${r.settings.join(', ')}` : 'no setting changed',
    r.keys.length > 0 ? `keys stored encrypted: ${r.keys.join(', ')}` : null,
    file !== undefined && r.keys.length > 0 ? `keys removed from ${file}` : null,
  ].filter((p) => p !== null);
  process.stdout.write(`Provisioned: ${parts.join('; ')}.\n`);
}

export function registerProvisionCommands(program: Command): void {
  program
    .command('provision')
    .description(`Apply a provisioning file (or --from-env: ${Object.values(PROVISION_ENV).slice(0, 2).join(', ')}, ...) to this till`)
    .addOption(dataDirOption())
    .argument('[file]', 'the provisioning JSON file (docs/rollout.md)')
    .option('--from-env', 'read the POS_COMPANION_* provisioning variables instead of a file')
    .action(async (file: string | undefined, flags: { dataDir?: string; fromEnv?: boolean }) => {
      if ((file === undefined) === (flags.fromEnv !== true)) {
        process.stderr.write('pos-companion: give a provisioning FILE or --from-env (one of them).\n');
        process.exitCode = EXIT_REFUSED;
        return;
      }
      try {
        // Checked before the data folder is opened: a refused file creates nothing.
        if (file !== undefined) readProvisioningFile(file);
        await runWithEngine(flags.dataDir, (engine) => {
          if (file !== undefined) {
            say(applyProvisioningFile(file, engine), file);
            return;
          }
          const r = applyProvisioningFromEnv(process.env, engine);
          if (r === null) throw new ProvisionError(`No provisioning variable is set (${Object.values(PROVISION_ENV).join(', ')}).`);
          say(r);
        });
      } catch (err) {
        refuse(err);
      }
    });
}
