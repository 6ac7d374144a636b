#!/usr/bin/env node
// Entry point of `npx pos-companion`: runs the TypeScript CLI through tsx so the admin
// commands work straight after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
