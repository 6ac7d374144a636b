// `config get [name]` and `config set name value`. Keys and the store PIN are write-only:
// `config get` shows "set" / "not set", and `config set apiKey -` (or `storePin -`) reads the value
// from stdin so it stays out of the shell history and the process list. `config set storePin`
// needs no current PIN: whoever runs the CLI on the till can read the data folder anyway, so
// this is how a forgotten PIN is reset.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dataDirOption, EXIT_REFUSED, runWithEngine } from '../orders/commands.ts';
import { SETTING_KEYS, SettingsError, settingNames, settingPatchFromText, settingValue } from './settings.ts';
import type { Settings } from './settings.ts';
import { SECRET_NAMES, SecretsUnavailableError } from './secrets.ts';
import type { SecretName } from './secrets.ts';
import { StorePinError } from './store-pin.ts';

/** The `config` name of the store PIN (main/config/store-pin.ts). */
const STORE_PIN = 'storePin';

function show(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function describeSettings(s: Settings): string[] {
  const lines: string[] = [];
  for (const name of settingNames()) lines.push(`${name}=${show(settingValue(s, name))}`);
  lines.push(`apiKey=${s.keys.apiKeySet ? 'set' : 'not set'}`, `secretKey=${s.keys.secretKeySet ? 'set' : 'not set'}`, `${STORE_PIN}=${s.storePinSet ? 'set' : 'not set'}`);
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
        if (name === STORE_PIN) {
          process.stdout.write(`${s.storePinSet ? 'set' : 'not set'}\n`);
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
    .description('Change one setting (validated); for apiKey/secretKey/storePin give - (or nothing) to read the value from stdin, and "null" clears it')
    .addOption(dataDirOption())
    .argument('<name>', 'setting name, e.g. currency, country, retentionDays, scanner.mode, apiKey, storePin')
    .argument('[value]', 'new value')
    .action(async (name: string, value: string | undefined, flags: { dataDir?: string }) => {
      await runWithEngine(flags.dataDir, async (engine) => {
        try {
          if (name === STORE_PIN) {
            const pin = (value === undefined || value === '-' ? readFileSync(0, 'utf8') : value).trim();
            await engine.storePin.reset(pin === '' || pin === 'null' ? null : pin);
            process.stdout.write(`${STORE_PIN}=${engine.storePin.isSet() ? 'set' : 'not set'}\n`);
            return;
          }
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
          if (!(err instanceof SettingsError || err instanceof SecretsUnavailableError || err instanceof StorePinError)) throw err;
          process.stderr.write(`pos-companion: ${err.message}\n`);
          process.exitCode = EXIT_REFUSED;
        }
      });
    });
}
