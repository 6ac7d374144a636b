// Where and how to reach Gameball. The base URL is scheme + host (+ port) only
// (`https://api.gameball.co`, or a simulator's `http://127.0.0.1:PORT`); the client appends
// `/api/<version>/integrations`. Keys come from the store's encrypted secrets or the environment
// and live only in this object, in the main process: nothing here is ever logged or shown.
import { z } from 'zod';
import { BASE_URL_RULE, keysMayTravelTo } from '../config/base-url.ts';
import { keyProblem } from '../config/keys.ts';

export const GAMEBALL_DEFAULT_BASE_URL = 'https://api.gameball.co';
export const GameballApiVersionSchema = z.enum(['v4.0', 'v4.1']);
export type GameballApiVersion = z.infer<typeof GameballApiVersionSchema>;

export const GameballBaseUrlSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/\/+$/, ''))
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.pathname === '/' && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'must be scheme and host only, like https://api.gameball.co')
  .refine((s) => URL.canParse(s) && keysMayTravelTo(new URL(s)), `must be ${BASE_URL_RULE}`);

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
  const baseUrl = GameballBaseUrlSchema.safeParse(baseUrlRaw);
  if (!baseUrl.success) {
    throw new GameballConfigError(
      `The Gameball base URL ${JSON.stringify(baseUrlRaw)} ${baseUrl.error.issues[0]?.message ?? 'is not valid'}.`,
    );
  }
  const versionRaw = nonEmpty(env.GAMEBALL_API_VERSION) ?? nonEmpty(stored.apiVersion) ?? 'v4.0';
  const version = GameballApiVersionSchema.safeParse(versionRaw.startsWith('v') ? versionRaw : `v${versionRaw}`);
  if (!version.success) {
    throw new GameballConfigError(`The Gameball API version must be v4.0 or v4.1 (got ${JSON.stringify(versionRaw)}).`);
  }
  const apiKey = usableKey('API key', 'GAMEBALL_API_KEY', env.GAMEBALL_API_KEY, stored.apiKey);
  const secretKey = usableKey('secret key', 'GAMEBALL_SECRET_KEY', env.GAMEBALL_SECRET_KEY, stored.secretKey);
  const timeoutMs = stored.timeoutMs ?? 15_000;
  return { baseUrl: baseUrl.data, apiVersion: version.data, apiKey, secretKey, timeoutMs };
}
