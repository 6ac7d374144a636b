// Provisioning the app picks up by itself when it starts (docs/rollout.md):
//  - `<data folder>/provision.json` (on a per-machine till that is the machine folder), or the file
//    named by $POS_COMPANION_PROVISION_FILE: applied, its keys removed, then renamed
//    `provision.json.applied-<time>` so it is applied once, never again over later changes;
//  - the POS_COMPANION_* environment variables (schema.ts PROVISION_ENV): applied at the first
//    start only (no `provisioned.json` in the data folder yet), for the same reason.
// A refused provisioning changes nothing and is reported (the app starts as it is: a till that
// cannot sell because IT's file has a typo would be worse). `provisioned.json` records what was
// applied, when, from where; never a value.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyProvisioningFile, applyProvisioningFromEnv, type ProvisionTarget } from './apply.ts';

export const PROVISION_FILE = 'provision.json';
export const PROVISION_FILE_ENV = 'POS_COMPANION_PROVISION_FILE';
export const PROVISIONED_RECORD = 'provisioned.json';

export type StartProvisioning =
  | { kind: 'none' }
  | { kind: 'applied'; source: string; settings: string[]; keys: string[] }
  | { kind: 'refused'; source: string; message: string };

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');

export function provisionAtStart(opts: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  till: ProvisionTarget;
  now: () => number;
}): StartProvisioning {
  const { dataDir, env, till, now } = opts;
  const record = join(dataDir, PROVISIONED_RECORD);
  const file = env[PROVISION_FILE_ENV]?.trim() || join(dataDir, PROVISION_FILE);
  const remember = (source: string, r: { settings: string[]; keys: string[] }) =>
    writeFileSync(record, `${JSON.stringify({ at: new Date(now()).toISOString(), source, ...r }, null, 2)}\n`);
  try {
    if (existsSync(file)) {
      const r = applyProvisioningFile(file, till);
      renameSync(file, `${file}.applied-${stamp(now())}`);
      remember(file, r);
      return { kind: 'applied', source: file, settings: r.settings, keys: r.keys };
    }
    if (existsSync(record)) return { kind: 'none' };
    const r = applyProvisioningFromEnv(env, till);
    if (r === null) return { kind: 'none' };
    remember('environment', r);
    return { kind: 'applied', source: 'environment', settings: r.settings, keys: r.keys };
  } catch (err) {
    // A refusal, or keys this computer cannot store (nothing applied either way): the app starts as it is.
    const message = err instanceof Error ? err.message : String(err);
    return { kind: 'refused', source: existsSync(file) ? file : 'environment', message };
  }
}
