// `config get [name]` and `config set name value`. Keys are write-only: `config get` shows
// "set" / "not set", and `config set apiKey -` reads the key from stdin so it stays out of the
// shell history and the process list.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dataDirOption, EXIT_REFUSED, runWithEngine } from '../orders/commands.ts';
import { SETTING_KEYS, SettingsError, settingNames, settingPatchFromText, settingValue } from './settings.ts';
import type { Settings } from './settings.ts';
import { SECRET_NAMES, SecretsUnavailableError } from './secrets.ts';
import type { SecretName } from './secrets.ts';

function show(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function describeSettings(s: Settings): string[] {
  const lines: string[] = [];
  for (const name of settingNames()) lines.push(`${name}=${show(settingValue(s, name))}`);
  lines.push(`apiKey=${s.keys.apiKeySet ? 'set' : 'not set'}`, `secretKey=${s.keys.secretKeySet ? 'set' : 'not set'}`);
  return lines;
}

const isSecretName = (n: string): n is SecretName => (SECRET_NAMES as readonly string[]).includes(n);

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Show or change till settings and Gameball keys');
  config
    .command('get')
    .description(`show settings (${SETTING_KEYS.length} settings; keys show only set/not set)`)
    .addOption(dataDirOption())
    .argument('[name]', 'one setting, e.g. currency or scanner.mode')
    .action(async (name: string | undefined, flags: { dataDir?: string }) => {
      await runWithEngine(flags.dataDir, (engine) => {
        const s = engine.getSettings();
        if (name === undefined) {
          process.stdout.write(`${describeSettings(s).join('\n')}\n`);
          return;
        }
        if (isSecretName(name)) {
          process.stdout.write(`${(name === 'apiKey' ? s.keys.apiKeySet : s.keys.secretKeySet) ? 'set' : 'not set'}\n`);
          return;
        }
        try {
          process.stdout.write(`${show(settingValue(s, name))}\n`);
        } catch (err) {
          if (!(err instanceof SettingsError)) throw err;
          process.stderr.write(`pos-companion: ${err.message}\n`);
          process.exitCode = EXIT_REFUSED;
        }
      });
    });

  config
    .command('set')
    .description('Change one setting (validated); for apiKey/secretKey give - (or nothing) to read the key from stdin, and "null" clears it')
    .addOption(dataDirOption())
    .argument('<name>', 'setting name, e.g. currency, country, retentionDays, scanner.mode, apiKey')
    .argument('[value]', 'new value')
    .action(async (name: string, value: string | undefined, flags: { dataDir?: string }) => {
      await runWithEngine(flags.dataDir, (engine) => {
        try {
          if (isSecretName(name)) {
            const raw = value === undefined || value === '-' ? readFileSync(0, 'utf8') : value;
            const key = raw.trim();
            engine.setKeys({ [name]: key === '' || key === 'null' ? null : key });
            const s = engine.getSettings();
            process.stdout.write(`${name}=${(name === 'apiKey' ? s.keys.apiKeySet : s.keys.secretKeySet) ? 'set' : 'not set'}\n`);
            return;
          }
          if (value === undefined) throw new SettingsError(`Give a value: pos-companion config set ${name} VALUE`, name);
          const updated = engine.updateSettings(settingPatchFromText(name, value, engine.getSettings()));
          process.stdout.write(`${name}=${show(settingValue(updated, name))}\n`);
        } catch (err) {
          if (!(err instanceof SettingsError || err instanceof SecretsUnavailableError)) throw err;
          process.stderr.write(`pos-companion: ${err.message}\n`);
          process.exitCode = EXIT_REFUSED;
        }
      });
    });
}
