// One set of shapes across the bridge: every schema the contract (preload/api.ts) exports is
// declared there and only there. main/ imports it; a second declaration under the same name in
// main/ would be a copy that drifts (a field added on one side only), which is what this refuses.
// main-only schemas (stored rows, CLI inputs, Gameball's wire) keep names of their own.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../../preload/api.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.isFile() && e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `const XxxSchema =` (exported or not) and `XxxSchema = z.` declared in a file. */
function declaredSchemas(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*Schema)\s*[:=]/g)) names.add(m[1] ?? '');
  for (const m of source.matchAll(/\b([A-Za-z_$][\w$]*Schema)\s*=\s*z\s*\./g)) names.add(m[1] ?? '');
  return [...names];
}

const contractSchemas = Object.keys(api).filter((name) => name.endsWith('Schema'));

describe('the contract is declared once', () => {
  it('finds the contract schemas and the declarations it looks for', () => {
    expect(contractSchemas).toEqual(
      expect.arrayContaining(['OrderViewSchema', 'SyncStatusSchema', 'SettingsSchema', 'CapturedOrderSchema']),
    );
    expect(
      declaredSchemas(
        'export const OrderViewSchema = z.object({});\nconst SyncStatusSchema: z.ZodType = x;\nlet SettingsSchema = z.object({});',
      ),
    ).toEqual(['OrderViewSchema', 'SyncStatusSchema', 'SettingsSchema']);
    expect(declaredSchemas("import { OrderViewSchema } from '../../preload/api.ts';\nconst a = OrderViewSchema.parse(x);")).toEqual([]);
  });

  it('no file under main/ declares a schema under a name the contract exports', () => {
    const contract = new Set(contractSchemas);
    const twice: string[] = [];
    for (const file of tsFiles(join(ROOT, 'main'))) {
      for (const name of declaredSchemas(readFileSync(file, 'utf8'))) {
        if (contract.has(name)) twice.push(`${name} in ${relative(ROOT, file)}`);
      }
    }
    expect(twice, 'import these from preload/api.ts (or give a main-only shape a name of its own)').toEqual([]);
  });
});
