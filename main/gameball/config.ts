// Where and how to reach Gameball. The base URL is scheme + host (+ port) only
// (`https://api.gameball.co`, or a simulator's `http://127.0.0.1:PORT`); the client appends
// `/api/<version>/integrations`. Keys come from the store's encrypted secrets or the environment
// and live only in this object, in the main process: nothing here is ever logged or shown.
// No dependency beyond the till's own rules: the quick `status` (main/cli/status.ts) judges the
// configuration with gameballConfigProblem, as the sync does, without loading zod.
import { BASE_URL_RULE, isSchemeAndHostOnly, keysMayTravelToUrl, withoutTrailingSlash } from '../config/base-url.ts';
import { keyProblem } from '../config/key-rule.ts';
import type { SecretStore } from '../config/secrets.ts';

export const GAMEBALL_DEFAULT_BASE_URL = 'https://api.gameball.co';
export const GAMEBALL_API_VERSIONS = ['v4.0', 'v4.1'] as const;
export type GameballApiVersion = (typeof GAMEBALL_API_VERSIONS)[number];

export function isGameballApiVersion(v: unknown): v is GameballApiVersion {
  return (GAMEBALL_API_VERSIONS as readonly unknown[]).includes(v);
}

/** Why `raw` cannot be the Gameball base URL (scheme and host only, keys' rule), or null. */
function baseUrlProblem(raw: string): string | null {
  const s = withoutTrailingSlash(raw.trim());
  if (!isSchemeAndHostOnly(s)) return 'must be scheme and host only, like https://api.gameball.co';
  if (!keysMayTravelToUrl(s)) return `must be ${BASE_URL_RULE}`;
  return null;
}

export interface GameballConfig {
  baseUrl: string;
  apiVersion: GameballApiVersion;
  apiKey: string;
  secretKey: string;
  /** Per-request timeout in ms (default 15 s). */
  timeoutMs: number;
}

export interface GameballConfigInput {
  baseUrl?: string | null;
  apiVersion?: string | null;
  apiKey?: string | null;
  secretKey?: string | null;
  timeoutMs?: number | null;
}

export class GameballConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GameballConfigError';
  }
}

function nonEmpty(v: string | null | undefined): string | undefined {
  return v !== undefined && v !== null && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * The key to send: the environment's, else the stored one. A key an HTTP header cannot carry
 * as it is (see config/keys.ts) is a configuration error naming where it came from, so the
 * sync idles with that reason instead of failing every call with the key in the error.
 */
function usableKey(label: string, envName: string, fromEnv: string | undefined, fromStore: string | null | undefined): string {
  const envValue = nonEmpty(fromEnv);
  const value = envValue ?? nonEmpty(fromStore);
  if (!value) throw new GameballConfigError(`The Gameball ${label} is not set (config or ${envName}).`);
  const problem = keyProblem(value);
  if (problem !== null) {
    const where = envValue !== undefined ? `The Gameball ${label} in ${envName}` : `The stored Gameball ${label}`;
    throw new GameballConfigError(
      `${where} cannot be used: ${problem}. Enter it again as one line of letters and digits, as Gameball shows it.`,
    );
  }
  return value;
}

/**
 * Merges the environment over stored settings (the environment wins: it is how a technician
 * points one till at another host without touching its data) and validates the result.
 * Throws GameballConfigError naming the setting (never its value) when something is missing.
 */
export function resolveGameballConfig(stored: GameballConfigInput, env: Record<string, string | undefined> = {}): GameballConfig {
  const baseUrlRaw = nonEmpty(env.GAMEBALL_BASE_URL) ?? nonEmpty(stored.baseUrl) ?? GAMEBALL_DEFAULT_BASE_URL;
  const urlProblem = baseUrlProblem(baseUrlRaw);
  if (urlProblem !== null) throw new GameballConfigError(`The Gameball base URL ${JSON.stringify(baseUrlRaw)} ${urlProblem}.`);
  const versionRaw = nonEmpty(env.GAMEBALL_API_VERSION) ?? nonEmpty(stored.apiVersion) ?? 'v4.0';
  const version = versionRaw.startsWith('v') ? versionRaw : `v${versionRaw}`;
  if (!isGameballApiVersion(version)) {
    throw new GameballConfigError(`The Gameball API version must be v4.0 or v4.1 (got ${JSON.stringify(versionRaw)}).`);
  }
  const apiKey = usableKey('API key', 'GAMEBALL_API_KEY', env.GAMEBALL_API_KEY, stored.apiKey);
  const secretKey = usableKey('secret key', 'GAMEBALL_SECRET_KEY', env.GAMEBALL_SECRET_KEY, stored.secretKey);
  const timeoutMs = stored.timeoutMs ?? 15_000;
  return { baseUrl: withoutTrailingSlash(baseUrlRaw.trim()), apiVersion: version, apiKey, secretKey, timeoutMs };
}

/** The Gameball settings and keys the sync builds its client from, as the till holds them. */
export interface GameballSetup extends GameballConfigInput {
  /**
   * Why a key that is stored (and not in the environment) cannot be read by this process, e.g. a
   * key the desktop app stored with safeStorage, read by the CLI; null or absent when none.
   */
  unreadable?: string | null;
}

/** What a till holds for Gameball: its settings and keys (the environment not yet applied to the URL and version). */
export interface TillGameballSetup extends GameballSetup {
  baseUrl: string;
  apiVersion: string;
  apiKey: string | null;
  secretKey: string | null;
  unreadable: string | null;
}

/**
 * The till's Gameball setup from its settings and key store (the environment's keys win, as
 * SecretStore.value gives them): what the sync builds its client from, and what `status` judges.
 */
export function tillGameballSetup(
  settings: { apiBaseUrl: string; apiVersion: string },
  keys: Pick<SecretStore, 'value' | 'unreadable'>,
): TillGameballSetup {
  return {
    baseUrl: settings.apiBaseUrl,
    apiVersion: settings.apiVersion,
    apiKey: keys.value('apiKey'),
    secretKey: keys.value('secretKey'),
    unreadable: keys.unreadable('apiKey') ?? keys.unreadable('secretKey'),
  };
}

export const NO_KEYS_MESSAGE =
  'Gameball keys are not set: orders are kept on this till until the API key and secret key are entered in the settings.';

/** The reason a live till gives when its stored keys cannot be read here (never a key in it). */
export function unreadableKeysMessage(reason: string): string {
  return (
    `The Gameball keys are stored on this till but cannot be read here (${reason}): orders are kept on this till. ` +
    'Keys stored by the desktop app are read by the desktop app; to send from here, set GAMEBALL_API_KEY and ' +
    'GAMEBALL_SECRET_KEY in the environment, or enter the keys again.'
  );
}

/**
 * The one judgement of a live till's configuration: the client's configuration, or why the sync
 * cannot build one from `g` and the environment, for a person (never a key in it). The sync idles
 * with this reason (main/sync/wiring.ts) and `status` shows it as the last error, with or without
 * the engine (main/cli/status.ts).
 */
export function checkGameballConfig(
  g: GameballSetup,
  env: Record<string, string | undefined> = {},
): { config: GameballConfig; problem: null } | { config: null; problem: string } {
  try {
    return { config: resolveGameballConfig(g, env), problem: null };
  } catch (err) {
    if (!(err instanceof GameballConfigError)) throw err;
    if (g.apiKey && g.secretKey) return { config: null, problem: err.message };
    return { config: null, problem: g.unreadable ? unreadableKeysMessage(g.unreadable) : NO_KEYS_MESSAGE };
  }
}

/** Why the sync cannot build a Gameball client (see checkGameballConfig); null when it can. */
export function gameballConfigProblem(g: GameballSetup, env: Record<string, string | undefined> = {}): string | null {
  return checkGameballConfig(g, env).problem;
}
