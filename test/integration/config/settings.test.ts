import { afterEach, describe, expect, it } from 'vitest';
import { SettingsError, SettingsStore } from '../../../main/config/settings.ts';
import { tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture;
afterEach(() => till?.close());

describe('SettingsStore', () => {
  it('generates the till id once, on first use, and every connection agrees on it', () => {
    till = tillFixture();
    const a = new SettingsStore(till.db).get().tillId;
    const b = new SettingsStore(till.db).get().tillId;
    expect(a).toMatch(/^till-[0-9a-f]{10}$/);
    expect(b).toBe(a);
    till = till.reopen();
    expect(new SettingsStore(till.db).get().tillId).toBe(a);
  });

  it('persists valid changes as JSON and refuses a patch with any bad or unknown key, writing none of it', () => {
    till = tillFixture();
    const s = new SettingsStore(till.db);
    expect(s.update({ currency: 'egp', country: 'eg', retentionDays: 30, scanner: { mode: 'keyboard', deviceId: null } })).toMatchObject({
      currency: 'EGP',
      country: 'EG',
      retentionDays: 30,
    });
    expect(till.rows("SELECT value FROM settings WHERE key = 'currency'")).toEqual([{ value: '"EGP"' }]);
    expect(() => s.update({ currency: 'SAR', retentionDays: -1 })).toThrow(SettingsError);
    expect(() => s.update({ currencyy: 'SAR' })).toThrow(/Unknown setting: currencyy/);
    expect(new SettingsStore(till.db).get()).toMatchObject({ currency: 'EGP', retentionDays: 30, scanner: { mode: 'keyboard' } });
  });

  it('falls back to the default for a stored value that no longer validates, and says so', () => {
    till = tillFixture();
    till.db.prepare("INSERT INTO settings (key, value) VALUES ('retentionDays', '\"ninety\"'), ('language', 'not json')").run();
    const bad: string[] = [];
    const s = new SettingsStore(till.db, (key) => bad.push(key)).get();
    expect(s.retentionDays).toBe(90);
    expect(s.language).toBe('en');
    expect(bad.sort()).toEqual(['language', 'retentionDays']);
  });
});
