// The till's settings: one zod schema per key, a sensible default for every key (so a fresh data
// folder works at once), stored as JSON values in the `settings` table. Keys themselves (Gameball
// APIKey/SecretKey) are not settings: they live encrypted in `secrets` (see secrets.ts) and only
// their presence shows here.
//
// Defaults: currency SAR and country SA (Saudi Arabia: Gameball's POS guide writes its examples
// for +966 numbers, `mobile_966500001234`); change with `config set currency EGP` and
// `config set country EG` etc.
import { randomBytes } from 'node:crypto';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { ApiVersionSchema, ScannerModeSchema } from '../../preload/api.ts';
import type { RefusalReason, Settings as ContractSettings } from '../../preload/api.ts';
import { MAX_RECEIPT_PATTERN_LENGTH, receiptPatternProblem } from '../../preload/receipt-pattern.ts';
import type { Database } from '../db/database.ts';
import { isKnownCurrency } from '../orders/money.ts';
import { BASE_URL_RULE, isSchemeAndHostOnly, keysMayTravelToUrl, withoutTrailingSlash } from './base-url.ts';
import { serviceUrlSchema } from './service-url.ts';
import { TILL_ID_PATTERN, TILL_ID_RULE } from './till-id.ts';
import { DEFAULT_UPDATE_SETTING, UpdateSettingSchema } from '../update/settings.ts';

const nullableText = (max: number) => z.string().trim().min(1).max(max).nullable();
/** A keyboard-mode scanner's frame: a few characters, kept as typed (a space counts). */
const frameText = z.string().min(1).max(8).nullable().default(null);

export const TillIdSchema = z.string().regex(TILL_ID_PATTERN, TILL_ID_RULE);

/** The currency setting: any ISO 4217 code this system knows, in any case (stored upper case). */
export const CurrencySettingSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine(isKnownCurrency, 'not an ISO 4217 currency code this system knows');

/** The country setting: a two-letter code with phone numbering, in any case (stored upper case). */
export const CountrySettingSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine((c) => /^[A-Z]{2}$/.test(c) && isSupportedCountry(c), 'not a two-letter country code with phone numbering (e.g. SA, EG, AE)');

/** The `apiBaseUrl` setting (storedBaseUrl in ./base-url.ts reads a stored value the same way, without zod). */
export const BaseUrlSchema = z
  .string()
  .trim()
  .refine(isSchemeAndHostOnly, 'scheme and host (and port) only, e.g. https://api.gameball.co')
  .refine(keysMayTravelToUrl, `must be ${BASE_URL_RULE}`)
  .transform(withoutTrailingSlash);

/**
 * Where the fleet view's metrics go (a Prometheus Pushgateway, docs/fleet.md): a URL, possibly
 * with a path (a gateway behind a proxy), no credentials in it (the password is a secret, never
 * a setting), and the keys' rule for the scheme: https, or http only to this computer.
 */
export const PushUrlSchema = serviceUrlSchema('https://pushgateway.example.com');

/** The fleet view's push (opt-in: nothing is pushed while pushUrl is null). */
export const FleetSettingSchema = z
  .object({
    pushUrl: PushUrlSchema.nullable(),
    pushIntervalSeconds: z.number().int().min(15).max(86_400),
    /** The basic-auth user; the password comes from $POS_COMPANION_PUSH_PASSWORD only. */
    pushUser: nullableText(200),
  })
  .strict();

/**
 * The local integration API (docs/local-api.md): the port it listens on, on 127.0.0.1 only
 * (null: off). On by default, since the POS can only use it when it is there; its bearer token
 * guards it (main/integration/api-token.ts).
 */
export const DEFAULT_API_PORT = 4478;
export const IntegrationSettingSchema = z.object({ apiPort: z.number().int().min(1).max(65_535).nullable() }).strict();

const nameList = z.array(z.string().trim().min(1).max(64)).max(32);

/**
 * A receipt pattern runs against every scan, on the till's main thread and in the screen: one that
 * can backtrack for long (nested quantifiers, backreferences, lookaround...) is refused, with
 * what is not allowed (see preload/receipt-pattern.ts).
 */
export const ReceiptPatternSchema = z
  .string()
  .min(1)
  .max(MAX_RECEIPT_PATTERN_LENGTH)
  .superRefine((p, ctx) => {
    const problem = receiptPatternProblem(p);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `refused: ${problem}` });
  })
  .nullable();

/** Every stored setting with its schema and default. The order here is the order `config get` prints. */
export const SETTING_SCHEMAS = {
  tillId: TillIdSchema,
  storeId: nullableText(100),
  storeName: nullableText(200),
  branchId: nullableText(100),
  branchName: nullableText(200),
  currency: CurrencySettingSchema,
  country: CountrySettingSchema,
  apiBaseUrl: BaseUrlSchema,
  apiVersion: ApiVersionSchema,
  trainingMode: z.enum(['auto', 'on', 'off']),
  retentionDays: z.number().int().min(1).max(3650),
  referralParams: nameList,
  customerIdPrefixes: nameList,
  receiptPattern: ReceiptPatternSchema,
  language: z.enum(['en', 'ar']),
  kiosk: z.boolean(),
  startAtLogin: z.boolean(),
  /**
   * Which scanner path to use; deviceId pins one device (null: the first suitable one). prefix and
   * suffix: the frame a keyboard-mode scanner is programmed to send around each code (null: none).
   */
  scanner: z.object({ mode: ScannerModeSchema, deviceId: nullableText(500), prefix: frameText, suffix: frameText }).strict(),
  fleet: FleetSettingSchema,
  /** Updates: server, channel, quiet window, force (main/update/settings.ts, docs/rollout.md). */
  update: UpdateSettingSchema,
  integration: IntegrationSettingSchema,
  /** The folder POS files of sales are dropped in (main/integration/folder-import.ts); null: `inbox` in the data folder. */
  inboxFolder: nullableText(1000),
} as const;

export type SettingKey = keyof typeof SETTING_SCHEMAS;
export const SETTING_KEYS = Object.keys(SETTING_SCHEMAS) as SettingKey[];

export const StoredSettingsSchema = z.object(SETTING_SCHEMAS);
export type StoredSettings = z.infer<typeof StoredSettingsSchema>;

/**
 * What the screen and `config get` see: every setting, only whether each key is set, and whether
 * a store PIN is (main/config/store-pin.ts). The contract's Settings plus the settings only the
 * CLI changes (base URL, training mode, retention); the bridge's answer leaves those out.
 */
export type Settings = StoredSettings & Pick<ContractSettings, 'keys' | 'storePinSet'>;

/** A change request: any subset of the stored settings, nothing else. */
export const StoredSettingsPatchSchema = StoredSettingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof StoredSettingsPatchSchema>;

export const DEFAULT_REFERRAL_PARAMS = ['GBReferral', 'GbReferral', 'ReferralCode', 'referralCode', 'referrerCode', 'ref'];

export function defaultSettings(tillId: string): StoredSettings {
  return {
    tillId,
    storeId: null,
    storeName: null,
    branchId: null,
    branchName: null,
    currency: 'SAR',
    country: 'SA',
    apiBaseUrl: 'https://api.gameball.co',
    apiVersion: 'v4.0',
    trainingMode: 'auto',
    retentionDays: 90,
    referralParams: [...DEFAULT_REFERRAL_PARAMS],
    customerIdPrefixes: ['mobile_'],
    receiptPattern: null,
    language: 'en',
    kiosk: false,
    // A till restarts with its computer: the queue keeps going out after a power cut.
    startAtLogin: true,
    scanner: { mode: 'auto', deviceId: null, prefix: null, suffix: null },
    fleet: { pushUrl: null, pushIntervalSeconds: 60, pushUser: null },
    update: { ...DEFAULT_UPDATE_SETTING },
    integration: { apiPort: DEFAULT_API_PORT },
    inboxFolder: null,
  };
}

/** A new till id: short, readable, random enough that two tills of one merchant never collide. */
export function generateTillId(random: (n: number) => Buffer = randomBytes): string {
  return `till-${random(5).toString('hex')}`;
}

export class SettingsError extends Error {
  readonly code = 'INVALID_SETTING' satisfies RefusalReason;
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_SCHEMAS, key);
}

/** Names `config get/set` accepts: every setting, plus one level of dotted names inside objects. */
export function settingNames(): string[] {
  const defaults = defaultSettings('x');
  return SETTING_KEYS.flatMap((k) => {
    const v = defaults[k];
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((sub) => `${k}.${sub}`) : [k];
  });
}

function textToValue(sample: unknown, t: string): unknown {
  if (typeof sample === 'boolean') {
    const b = ({ true: true, on: true, yes: true, '1': true, false: false, off: false, no: false, '0': false } as Record<string, boolean>)[
      t.toLowerCase()
    ];
    return b ?? t;
  }
  if (typeof sample === 'number') return /^-?\d+$/.test(t) ? Number(t) : t;
  if (Array.isArray(sample)) {
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t);
      } catch {
        return t;
      }
    }
    return t === '' ? [] : t.split(',').map((x) => x.trim());
  }
  if (t === '' || t === 'null') return null;
  return t;
}

/**
 * Turns `config set NAME TEXT` into a settings patch: booleans accept true/false/on/off/yes/no,
 * numbers plain integers, lists a JSON array or comma-separated names, nullable text `null` or
 * ''; `scanner.mode` style names change one field of an object setting. The patch is validated
 * by SettingsStore.update. Throws SettingsError for an unknown name.
 */
export function settingPatchFromText(name: string, text: string, current: StoredSettings): SettingsPatch {
  const [key, sub, ...extra] = name.split('.');
  if (key === undefined || !isSettingKey(key) || extra.length > 0) {
    throw new SettingsError(`Unknown setting "${name}". Known settings: ${settingNames().join(', ')}.`, name);
  }
  const t = text.trim();
  const sample: unknown = defaultSettings('x')[key];
  const isObject = sample !== null && typeof sample === 'object' && !Array.isArray(sample);
  if (isObject) {
    const fields = sample as Record<string, unknown>;
    if (sub === undefined || !Object.hasOwn(fields, sub)) {
      throw new SettingsError(`Unknown setting "${name}". Known settings: ${settingNames().join(', ')}.`, name);
    }
    const base = current[key] as Record<string, unknown>;
    return { [key]: { ...base, [sub]: textToValue(fields[sub], t) } } as SettingsPatch;
  }
  if (sub !== undefined) throw new SettingsError(`Unknown setting "${name}". Known settings: ${settingNames().join(', ')}.`, name);
  return { [key]: textToValue(sample, t) } as SettingsPatch;
}

/** A setting's current value by `config get` name (`scanner.mode` reaches inside objects). */
export function settingValue(settings: StoredSettings, name: string): unknown {
  const [key, sub] = name.split('.');
  if (key === undefined || !isSettingKey(key))
    throw new SettingsError(`Unknown setting "${name}". Known settings: ${settingNames().join(', ')}.`, name);
  const v: unknown = settings[key];
  if (sub === undefined) return v;
  if (v !== null && typeof v === 'object' && Object.hasOwn(v, sub)) return (v as Record<string, unknown>)[sub];
  throw new SettingsError(`Unknown setting "${name}". Known settings: ${settingNames().join(', ')}.`, name);
}

/**
 * The row of the `settings` table that holds the store PIN's hash record (JSON). Not a setting:
 * get() and update() never see it, so no settings patch can read, set or clear it; only the
 * store PIN (main/config/store-pin.ts) reaches it, through storePinRecord().
 */
const STORE_PIN_ROW = 'storePin';

/** Settings persisted in the `settings` table; reads are cached and refreshed on every write. */
export class SettingsStore {
  private cache: StoredSettings | undefined;
  private readonly selectAll;
  private readonly upsert;
  private readonly insertIfMissing;
  private readonly selectOne;
  private readonly removeOne;

  constructor(
    private readonly db: Database,
    private readonly onInvalid: (key: string, reason: string) => void = () => {},
  ) {
    this.selectAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
    this.upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.insertIfMissing = db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)');
    this.selectOne = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.removeOne = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The store PIN's hash record as stored (read fresh each time: another process may change it). */
  storePinRecord(): { read(): string | null; write(json: string | null): void } {
    return {
      read: () => this.selectOne.get(STORE_PIN_ROW)?.value ?? null,
      write: (json) => {
        if (json === null) this.removeOne.run(STORE_PIN_ROW);
        else this.upsert.run(STORE_PIN_ROW, json);
      },
    };
  }

  /** The settings, with the till id generated and stored on first use (two processes agree on one). */
  get(): StoredSettings {
    if (this.cache) return this.cache;
    let rows = new Map(this.selectAll.all().map((r) => [r.key, r.value]));
    if (!rows.has('tillId')) {
      this.insertIfMissing.run('tillId', JSON.stringify(generateTillId()));
      rows = new Map(this.selectAll.all().map((r) => [r.key, r.value]));
    }
    const tillIdRaw = rows.get('tillId');
    const tillId = TillIdSchema.safeParse(tillIdRaw === undefined ? undefined : safeJson(tillIdRaw));
    const out: Record<string, unknown> = { ...defaultSettings(tillId.success ? tillId.data : generateTillId()) };
    for (const key of SETTING_KEYS) {
      const raw = rows.get(key);
      if (raw === undefined) continue;
      const parsed = SETTING_SCHEMAS[key].safeParse(safeJson(raw));
      if (parsed.success) out[key] = parsed.data;
      else this.onInvalid(key, parsed.error.issues[0]?.message ?? 'invalid');
    }
    this.cache = StoredSettingsSchema.parse(out);
    return this.cache;
  }

  /** Validates the whole patch first; writes all of it or nothing. */
  update(patch: unknown): StoredSettings {
    const parsed = StoredSettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path[0] !== undefined ? String(issue.path[0]) : undefined;
      const path = issue?.path.map(String).join('.');
      const what =
        issue?.code === 'unrecognized_keys'
          ? `Unknown setting: ${issue.keys.join(', ')}`
          : `Invalid value for ${path || 'settings'}: ${issue?.message ?? 'invalid'}`;
      throw new SettingsError(`${what}.`, key);
    }
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(parsed.data)) {
        if (value !== undefined) this.upsert.run(key, JSON.stringify(value));
      }
    })();
    this.cache = undefined;
    return this.get();
  }

  /** Forget the cached copy (another process may have written). */
  invalidate(): void {
    this.cache = undefined;
  }

  /** The stored rows as they are (JSON text per key), for the till's identity file. Only settings; never keys. */
  storedRows(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.selectAll.all()) if (isSettingKey(r.key)) out[r.key] = r.value;
    return out;
  }

  /**
   * Puts rows kept elsewhere (the identity file) into a database that lacks them: a key already
   * stored here wins. Unknown keys are skipped. Returns how many were written.
   */
  restoreRows(rows: Record<string, string>): number {
    let n = 0;
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(rows)) {
        if (isSettingKey(key) && this.insertIfMissing.run(key, value).changes === 1) n += 1;
      }
    })();
    this.cache = undefined;
    return n;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
