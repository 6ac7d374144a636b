// Applying a provisioning (schema.ts) to a till, from a file or from the environment.
//
// Contract of `applyProvisioningFile(file, till)`:
//  - the file is read and validated whole first; an invalid file (not JSON, an unknown field, a bad
//    value) is refused with every problem by field and NOTHING is applied (ProvisionError, exit 2);
//    no message ever quotes a value from the file (it may hold keys);
//  - a file with Gameball keys must be rewritable: they are removed from it after import. A file
//    (or its folder) that cannot be written is refused before anything is applied;
//  - keys are stored first, through the till's key store (encrypted with its cipher; refused when
//    the computer has none: nothing applied), then the settings in one transaction;
//  - then the file is rewritten without `gameball` (a temporary file renamed over it), so the keys
//    exist only encrypted in the till's store. Everything else in the file stays.
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writePrivateFileAtomic } from '../config/private-files.ts';
import type { Settings } from '../config/settings.ts';
import { describeIssues, provisioningFromEnv, ProvisioningSchema, settingsPatchOf, type Provisioning } from './schema.ts';

/** The part of the engine provisioning uses (main/engine.ts `Engine` has it). */
export interface ProvisionTarget {
  getSettings(): Settings;
  updateSettings(patch: unknown): Settings;
  setKeys(keys: { apiKey?: string | null; secretKey?: string | null }): void;
}

export class ProvisionError extends Error {
  readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length > 0 ? `${message}\n  ${problems.join('\n  ')}` : message);
    this.name = 'ProvisionError';
  }
}

export interface ProvisionReport {
  /** The settings changed, by `config` name. */
  settings: string[];
  /** Which keys were stored. */
  keys: Array<'apiKey' | 'secretKey'>;
  /** The file no longer holds keys (true also when it never did). */
  keysRemovedFromFile: boolean;
}

function settingNamesOf(patch: Record<string, unknown>, current: Settings): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const before = (current as unknown as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object' && before !== null && typeof before === 'object') {
      for (const [sub, v] of Object.entries(value))
        if (JSON.stringify(v) !== JSON.stringify((before as Record<string, unknown>)[sub])) names.push(`${key}.${sub}`);
    } else if (JSON.stringify(value) !== JSON.stringify(before)) names.push(key);
  }
  return names;
}

/** Applies a parsed provisioning: keys first (they may be refused), then the settings. */
export function applyProvisioning(p: Provisioning, till: ProvisionTarget): Omit<ProvisionReport, 'keysRemovedFromFile'> {
  const current = till.getSettings();
  const patch = settingsPatchOf(p, current);
  const keys: Array<'apiKey' | 'secretKey'> = [];
  if (p.gameball && (p.gameball.apiKey !== undefined || p.gameball.secretKey !== undefined)) {
    till.setKeys({
      ...(p.gameball.apiKey !== undefined && { apiKey: p.gameball.apiKey }),
      ...(p.gameball.secretKey !== undefined && { secretKey: p.gameball.secretKey }),
    });
    if (p.gameball.apiKey !== undefined) keys.push('apiKey');
    if (p.gameball.secretKey !== undefined) keys.push('secretKey');
  }
  const settings = settingNamesOf(patch, current);
  if (Object.keys(patch).length > 0) till.updateSettings(patch);
  return { settings, keys };
}

/** Reads and validates a provisioning file; throws ProvisionError (nothing applied). */
export function readProvisioningFile(file: string): { provisioning: Provisioning; raw: Record<string, unknown> } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new ProvisionError(`The provisioning file ${file} cannot be read (${code}). Nothing was applied.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a key: not repeated.
    throw new ProvisionError(`The provisioning file ${file} is not valid JSON. Nothing was applied.`);
  }
  const parsed = ProvisioningSchema.safeParse(raw);
  if (!parsed.success)
    throw new ProvisionError(`The provisioning file ${file} is refused; nothing was applied:`, describeIssues(parsed.error));
  return { provisioning: parsed.data, raw: raw as Record<string, unknown> };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** See the file comment. */
export function applyProvisioningFile(file: string, till: ProvisionTarget): ProvisionReport {
  const { provisioning, raw } = readProvisioningFile(file);
  const hasKeys = raw.gameball !== undefined;
  if (hasKeys && !(writable(file) && writable(dirname(file)))) {
    throw new ProvisionError(
      `The provisioning file ${file} holds Gameball keys but cannot be rewritten without them (it or its folder is read-only). ` +
        'Nothing was applied: copy it to a folder you can write, or leave the keys out and set GAMEBALL_API_KEY and GAMEBALL_SECRET_KEY.',
    );
  }
  const report = applyProvisioning(provisioning, till);
  if (hasKeys) removeKeysFromFile(file, raw);
  return { ...report, keysRemovedFromFile: true };
}

/** Rewrites `file` as `raw` without its `gameball` part (temporary file, then rename). */
function removeKeysFromFile(file: string, raw: Record<string, unknown>): void {
  const { gameball: _keys, ...rest } = raw;
  try {
    writePrivateFileAtomic(file, `${JSON.stringify(rest, null, 2)}\n`);
  } catch (err) {
    throw new ProvisionError(
      `The keys were stored, but ${file} could not be rewritten without them (${(err as { code?: string }).code ?? 'error'}): delete that file now.`,
    );
  }
}

/** The provisioning the environment describes, applied; null when it names nothing. Throws ProvisionError. */
export function applyProvisioningFromEnv(
  env: NodeJS.ProcessEnv,
  till: ProvisionTarget,
): Omit<ProvisionReport, 'keysRemovedFromFile'> | null {
  const raw = provisioningFromEnv(env);
  if (raw === null) return null;
  const parsed = ProvisioningSchema.safeParse(raw);
  if (!parsed.success)
    throw new ProvisionError(
      'The provisioning environment variables are refused; nothing was applied:',
      describeIssues(parsed.error, 'env'),
    );
  return applyProvisioning(parsed.data, till);
}
