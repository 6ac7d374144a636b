// `npx pos-companion serve`: the till screen in any browser on this computer. Prints the address to
// open (with its session token) on stdout and runs until Ctrl+C / SIGTERM, then shuts down cleanly
// (the write in progress finishes before the process ends).
import { InvalidArgumentError, type Command } from 'commander';
import { readSecretArg, SecretInputError } from '../config/secret-input.ts';
import { dataDirOption, EXIT_REFUSED } from './orders.ts';
import { resolveDataDir } from '../db/paths.ts';
import { DEFAULT_PORT, startServe, type ServeOptions } from '../web/serve.ts';
import { untilStopSignal } from './until-signal.ts';

/** The session token, when not random: from here or stdin, never the command line (ps shows it). */
const SESSION_TOKEN_ENV = 'POS_COMPANION_SESSION_TOKEN';

interface ServeFlags {
  port: number;
  dataDir?: string;
  token?: string;
  simulatorUrl?: string;
  staticDir?: string;
  hid: boolean;
  hidReplay?: string;
  apiPort?: number | null;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0 = any free port).');
  return n;
}

function loopbackUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be a URL such as http://127.0.0.1:5050.');
  }
  if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || (u.pathname !== '/' && u.pathname !== '')) {
    throw new InvalidArgumentError('must be a loopback http URL without a path, e.g. http://127.0.0.1:5050.');
  }
  return `${u.protocol}//${u.host}`;
}

export function registerWebCommands(program: Command): void {
  program
    .command('serve')
    .description('Serve the till screen to a browser on this computer (loopback only, session token required)')
    .option('--port <n>', `port on 127.0.0.1 (0 = any free port)`, portNumber, DEFAULT_PORT)
    .addOption(dataDirOption())
    .option(
      '--token <source>',
      `- : read the session token from stdin instead of making a random one (or set ${SESSION_TOKEN_ENV}); never the token itself`,
    )
    .option('--simulator-url <url>', 'treat this simulator as Gameball, keys from GAMEBALL_API_KEY / GAMEBALL_SECRET_KEY', loopbackUrl)
    .option('--static-dir <dir>', 'the built screen (default: build/renderer)')
    .option('--no-hid', 'do not open HID POS scanners (keyboard-mode scanners still work in the page)')
    .option(
      '--api-port <n>',
      'the local integration API on 127.0.0.1 (0 = any free port, "off" = none; default: the integration.apiPort setting)',
      (v: string) => (v === 'off' ? null : portNumber(v)),
    )
    .option('--hid-replay <file>', 'a virtual HID POS scanner that plays this capture file each time it is written')
    .action(async (flags: ServeFlags) => {
      let token: string | undefined;
      try {
        const howTo = `Give it on stdin: pos-companion serve --token - , or in ${SESSION_TOKEN_ENV}; without either a random one is made.`;
        token = readSecretArg({ what: 'session token', arg: flags.token, howTo }) ?? (process.env[SESSION_TOKEN_ENV]?.trim() || undefined);
      } catch (err) {
        if (!(err instanceof SecretInputError)) throw err;
        process.stderr.write(`pos-companion: ${err.message}\n`);
        process.exitCode = EXIT_REFUSED;
        return;
      }
      const opts: ServeOptions = {
        dataDir: resolveDataDir({ flag: flags.dataDir }),
        port: flags.port,
        hid: flags.hidReplay ? { kind: 'replay', file: flags.hidReplay } : flags.hid ? { kind: 'node-hid' } : { kind: 'none' },
      };
      if (token !== undefined) opts.token = token;
      if (flags.simulatorUrl !== undefined) opts.simulatorUrl = flags.simulatorUrl;
      if (flags.staticDir !== undefined) opts.staticDir = flags.staticDir;
      if (flags.apiPort !== undefined) opts.apiPort = flags.apiPort;
      const serve = await startServe(opts);
      const out = process.stdout;
      out.write(`POS Companion is serving the till screen on ${serve.server.origin}\n`);
      if (serve.api) out.write(`Local API for the POS: ${serve.api.origin}/v1/ (token: pos-companion api token)\n`);
      if (serve.apiProblem) out.write(`${serve.apiProblem}\n`);
      out.write(`Open: ${serve.server.openUrl}\n`);
      if (serve.training) {
        out.write('Training mode: no Gameball keys are set. Orders go to the built-in simulator and are never sent to Gameball.\n');
      }
      for (const notice of serve.engine.notices) out.write(`Notice: ${notice.message}\n`);
      out.write('Press Ctrl+C to stop.\n');
      await untilStopSignal();
      await serve.close();
      out.write('Stopped.\n');
    });
}
