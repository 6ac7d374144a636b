// `config get [name]` and `config set name value`. Keys and the store PIN are write-only: `config
// get` shows "set" / "not set". Neither is ever taken from the command line (the process list and
// the shell history would keep it): `config set apiKey -` (or `storePin -`) reads it from stdin,
// `--from-file FILE` from a file. `config set storePin` needs no current PIN: whoever runs the CLI
// on the till can read the data folder anyway, so this is how a forgotten PIN is reset.
import type { Command } from 'commander';
import { dataDirOption, EXIT_REFUSED, runWithEngine } from './orders.ts';
import { SETTING_KEYS, SettingsError, settingNames, settingPatchFromText, settingValue } from '../config/settings.ts';
import type { Settings } from '../config/settings.ts';
import { readSecretArg, SecretInputError } from '../config/secret-input.ts';
import { SECRET_ENV, SECRET_NAMES, SecretsUnavailableError } from '../config/secrets.ts';
import type { SecretName } from '../config/secrets.ts';
import { StorePinError } from '../config/store-pin.ts';

/** The `config` name of the store PIN (main/config/store-pin.ts). */
const STORE_PIN = 'storePin';

function show(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function describeSettings(s: Settings): string[] {
  const lines: string[] = [];
  for (const name of settingNames()) lines.push(`${name}=${show(settingValue(s, name))}`);
  lines.push(
    `apiKey=${s.keys.apiKeySet ? 'set' : 'not set'}`,
    `secretKey=${s.keys.secretKeySet ? 'set' : 'not set'}`,
    `${STORE_PIN}=${s.storePinSet ? 'set' : 'not set'}`,
  );
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
    .description(
      'Change one setting (validated). Keys (apiKey, secretKey) and the store PIN (storePin) are never given on the command line: - reads them from stdin, --from-file FILE from a file; "null" removes them',
    )
    .addOption(dataDirOption())
    .argument('<name>', 'setting name, e.g. currency, country, retentionDays, scanner.mode, apiKey, storePin')
    .argument('[value]', 'new value (for a key or the store PIN: - or null)')
    .option('--from-file <file>', 'apiKey/secretKey/storePin: read the value from this file')
    .action(async (name: string, value: string | undefined, flags: { dataDir?: string; fromFile?: string }) => {
      let key: string | null | undefined;
      if (isSecretName(name) || name === STORE_PIN) {
        // Read (or refused) before the data folder is opened: a refused secret touches nothing.
        try {
          key = name === STORE_PIN ? pinFromInput(value, flags.fromFile) : keyFromInput(name, value, flags.fromFile);
        } catch (err) {
          if (!(err instanceof SecretInputError)) throw err;
          process.stderr.write(`pos-companion: ${err.message}\n`);
          process.exitCode = EXIT_REFUSED;
          return;
        }
      } else if (flags.fromFile !== undefined) {
        process.stderr.write(
          `pos-companion: --from-file is for apiKey, secretKey and storePin only; give ${name} as: pos-companion config set ${name} VALUE\n`,
        );
        process.exitCode = EXIT_REFUSED;
        return;
      }
      await runWithEngine(flags.dataDir, async (engine) => {
        try {
          if (name === STORE_PIN) {
            await engine.storePin.reset(key ?? null);
            process.stdout.write(`${STORE_PIN}=${engine.storePin.isSet() ? 'set' : 'not set'}\n`);
            return;
          }
          if (isSecretName(name)) {
            engine.setKeys({ [name]: key });
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

/**
 * The key `config set apiKey|secretKey` was given: from stdin (`-`, or no value), from
 * `--from-file`, or null for "null" (remove it). Refuses (SecretInputError) a key on the command
 * line and an empty stdin (which would otherwise silently remove the key). The key's format is
 * checked by the engine (setKeys).
 */
function keyFromInput(name: SecretName, value: string | undefined, fromFile: string | undefined): string | null {
  const label = name === 'apiKey' ? 'API key' : 'secret key';
  const given = readSecretArg({
    what: 'key',
    arg: value === undefined && fromFile === undefined ? '-' : value,
    file: fromFile,
    allowed: ['null'],
    howTo:
      `Give it on stdin: pos-companion config set ${name} - (then paste it and press Ctrl+D, or pipe it in), ` +
      `from a file: pos-companion config set ${name} --from-file FILE, or set ${SECRET_ENV[name]} in the till's environment.`,
  });
  if (given === 'null') return null;
  if (given === undefined || given === '') {
    throw new SecretInputError(
      `No ${label} was given; nothing was changed. To remove the stored ${label}: pos-companion config set ${name} null`,
    );
  }
  return given;
}

/** The store PIN for `config set storePin`: stdin (`-`, or no value) or `--from-file`; "null" removes it. */
function pinFromInput(value: string | undefined, fromFile: string | undefined): string | null {
  const given = readSecretArg({
    what: 'store PIN',
    arg: value === undefined && fromFile === undefined ? '-' : value,
    file: fromFile,
    allowed: ['null'],
    howTo: `Give it on stdin: pos-companion config set ${STORE_PIN} - (then type it and press Ctrl+D, or pipe it in), or from a file: pos-companion config set ${STORE_PIN} --from-file FILE.`,
  });
  if (given === 'null') return null;
  if (given === undefined || given === '') {
    throw new SecretInputError(
      `No store PIN was given; nothing was changed. To remove the store PIN: pos-companion config set ${STORE_PIN} null`,
    );
  }
  return given;
}
