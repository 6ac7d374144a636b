// Turns a zod failure into Gameball's payload errors: a required field that is absent (or null)
// is 400/3000, anything else wrong (type, format, range, enum) is 422/3003.
import type { z } from 'zod';
import { CODES, SimError } from './errors.ts';

export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const missing = result.error.issues.find((issue) => issue.code === 'invalid_type' && isAbsent(body, issue.path));
  if (missing) {
    throw new SimError(400, CODES.missingField, `${fieldName(missing.path)} is required.`);
  }
  const first = result.error.issues[0];
  const where = first ? fieldName(first.path) : 'body';
  throw new SimError(422, CODES.invalidValue, `${where}: ${first?.message ?? 'invalid value'}`);
}

function isAbsent(root: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return true;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node === undefined || node === null;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : path.map(String).join('.');
}
