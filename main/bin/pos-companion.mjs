#!/usr/bin/env node
// Entry point of `npx pos-companion`. Runs the built CLI when there is one that matches the sources
// (fast start; see cli-bundle.mjs), else the TypeScript sources through tsx, so the admin commands
// work straight after `npm ci` with no build step, and a developer's edit takes effect at once.
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { builtCli, runBuilt } from './cli-bundle.mjs';

const built = process.env.POS_COMPANION_CLI_SOURCES === '1' ? null : builtCli(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
if (built !== null) runBuilt(built, process.argv.slice(2));
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli.ts');
}
