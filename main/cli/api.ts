// `pos-companion api token [--rotate]`: prints the local integration API's bearer token (made on
// first use), or replaces it with a new one (the running till refuses the old one from its next
// request). The token goes to stdout alone, so `TOKEN=$(pos-companion api token)` works; the
// address and what to do with it go to stderr. Whoever runs this can read the data folder anyway.
import type { Command } from 'commander';
import { ensurePrivateDataDir } from '../config/private-files.ts';
import { asDataFolderError } from '../data-folder.ts';
import { resolveDataDir } from '../db/paths.ts';
import { ensureApiToken, rotateApiToken } from '../integration/api-token.ts';
import { dataDirOption } from './orders.ts';

export function registerApiCommands(program: Command): void {
  const api = program.command('api').description('The local integration API the store POS posts its sales to (docs/local-api.md)');
  api
    .command('token')
    .description("print the API's bearer token (made on first use)")
    .option('--rotate', 'replace the token with a new one: the POS needs the new one from now on')
    .addOption(dataDirOption())
    .action((flags: { rotate?: boolean; dataDir?: string }) => {
      const dir = resolveDataDir({ flag: flags.dataDir });
      let token: string;
      try {
        ensurePrivateDataDir(dir);
        token = flags.rotate ? rotateApiToken(dir) : ensureApiToken(dir);
      } catch (err) {
        throw asDataFolderError(err, dir, 'save') ?? err;
      }
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        flags.rotate
          ? 'pos-companion: a new API token is in use; the old one is refused from now on. Give the new one to the POS.\n'
          : 'pos-companion: send it as "Authorization: Bearer <token>" to the local API (see docs/local-api.md).\n',
      );
    });
}
