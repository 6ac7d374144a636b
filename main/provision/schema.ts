// A provisioning file: what IT sets on every till of a store before its first sale (store and
// branch, currency, country, scanner mode, language, update channel, Gameball keys), as one JSON
// file or as environment variables for MDM tools (docs/rollout.md). Everything is optional: a
// file sets what it names and leaves the rest as it is. The till id is never provisioned (one
// file serves every till of a branch; each till makes its own).
import { z } from 'zod';
import { ScannerModeSchema } from '../../preload/api.ts';
import { gameballKeySchema } from '../config/keys.ts';
import { CountrySettingSchema, CurrencySettingSchema } from '../config/settings.ts';
import type { SettingsPatch, StoredSettings } from '../config/settings.ts';
import { QuietHoursSchema } from '../update/quiet-hours.ts';
import { UpdateChannelSchema, UpdateUrlSchema } from '../update/settings.ts';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const ProvisioningSchema = z.strictObject({
  /** The file format; 1 is the only one so far. */
  version: z.literal(1).optional(),
  store: z.strictObject({ id: text(100), name: text(200).optional() }).optional(),
  branch: z.strictObject({ id: text(100), name: text(200).optional() }).optional(),
  currency: CurrencySettingSchema.optional(),
  country: CountrySettingSchema.optional(),
  scanner: z.strictObject({ mode: ScannerModeSchema }).optional(),
  language: z.enum(['en', 'ar']).optional(),
  startAtLogin: z.boolean().optional(),
  update: z
    .strictObject({
      enabled: z.boolean().optional(),
      channel: UpdateChannelSchema.optional(),
      url: UpdateUrlSchema.nullable().optional(),
      quietHours: QuietHoursSchema.optional(),
    })
    .optional(),
  /** Stored encrypted at import and removed from the file (main/provision/apply.ts). */
  gameball: z
    .strictObject({ apiKey: gameballKeySchema('apiKey').optional(), secretKey: gameballKeySchema('secretKey').optional() })
    .optional(),
});
export type Provisioning = z.infer<typeof ProvisioningSchema>;

/** The settings a provisioning sets, merged into the current nested settings (scanner, update). */
export function settingsPatchOf(p: Provisioning, current: StoredSettings): SettingsPatch {
  const patch: SettingsPatch = {};
  if (p.store) {
    patch.storeId = p.store.id;
    if (p.store.name !== undefined) patch.storeName = p.store.name;
  }
  if (p.branch) {
    patch.branchId = p.branch.id;
    if (p.branch.name !== undefined) patch.branchName = p.branch.name;
  }
  if (p.currency !== undefined) patch.currency = p.currency;
  if (p.country !== undefined) patch.country = p.country;
  if (p.language !== undefined) patch.language = p.language;
  if (p.startAtLogin !== undefined) patch.startAtLogin = p.startAtLogin;
  if (p.scanner) patch.scanner = { ...current.scanner, mode: p.scanner.mode };
  if (p.update) {
    const u = p.update;
    patch.update = {
      ...current.update,
      ...(u.enabled !== undefined && { enabled: u.enabled }),
      ...(u.channel !== undefined && { channel: u.channel }),
      ...(u.url !== undefined && { url: u.url }),
      ...(u.quietHours !== undefined && { quietHours: u.quietHours }),
    };
  }
  return patch;
}

/** The environment variables MDM tools set, by the provisioning field each one fills. */
export const PROVISION_ENV = {
  'store.id': 'POS_COMPANION_STORE_ID',
  'store.name': 'POS_COMPANION_STORE_NAME',
  'branch.id': 'POS_COMPANION_BRANCH_ID',
  'branch.name': 'POS_COMPANION_BRANCH_NAME',
  currency: 'POS_COMPANION_CURRENCY',
  country: 'POS_COMPANION_COUNTRY',
  'scanner.mode': 'POS_COMPANION_SCANNER_MODE',
  language: 'POS_COMPANION_LANGUAGE',
  'update.channel': 'POS_COMPANION_UPDATE_CHANNEL',
  'update.url': 'POS_COMPANION_UPDATE_URL',
  'update.quietHours': 'POS_COMPANION_UPDATE_QUIET_HOURS',
} as const;

/**
 * The provisioning the environment describes (unparsed; null when it names nothing). Keys are not
 * read here: GAMEBALL_API_KEY / GAMEBALL_SECRET_KEY already take effect as they are, never stored.
 */
export function provisioningFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> | null {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  let any = false;
  for (const [field, name] of Object.entries(PROVISION_ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    any = true;
    const [top, sub] = field.split('.') as [string, string | undefined];
    if (sub === undefined) out[top] = value;
    else out[top] = { ...((out[top] as Record<string, unknown> | undefined) ?? {}), [sub]: value };
  }
  return any ? out : null;
}

/** Every problem of a provisioning, one per line, by field (or env variable); never a value. */
export function describeIssues(error: z.ZodError, names: 'fields' | 'env' = 'fields'): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const where = names === 'env' ? (PROVISION_ENV[path as keyof typeof PROVISION_ENV] ?? path) : path || '(the file)';
    if (issue.code === 'unrecognized_keys') return `${where}: unknown field ${issue.keys.join(', ')}`;
    return `${where}: ${issue.message}`;
  });
}
