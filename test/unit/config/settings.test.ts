import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema } from '../../../preload/api.ts';
import {
  SETTING_SCHEMAS,
  defaultSettings,
  generateTillId,
  SettingsError,
  settingNames,
  settingPatchFromText,
  settingValue,
  StoredSettingsPatchSchema,
  StoredSettingsSchema,
} from '../../../main/config/settings.ts';

const current = defaultSettings('till-1');

describe('defaults', () => {
  it('every setting has a valid default (a fresh till works at once)', () => {
    expect(StoredSettingsSchema.parse(defaultSettings(generateTillId()))).toBeTruthy();
    expect(current).toMatchObject({
      currency: 'SAR',
      country: 'SA',
      apiVersion: 'v4.0',
      apiBaseUrl: 'https://api.gameball.co',
      retentionDays: 90,
      language: 'en',
    });
  });

  it('till ids are generated distinct and valid', () => {
    const ids = new Set(Array.from({ length: 200 }, () => generateTillId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^till-[0-9a-f]{10}$/);
  });
});

describe('settingPatchFromText (config set)', () => {
  it.each([
    ['currency', 'kwd', { currency: 'kwd' }],
    ['retentionDays', '30', { retentionDays: 30 }],
    ['kiosk', 'on', { kiosk: true }],
    ['startAtLogin', 'no', { startAtLogin: false }],
    ['storeId', 'null', { storeId: null }],
    ['referralParams', 'ref, code', { referralParams: ['ref', 'code'] }],
    ['referralParams', '["a","b"]', { referralParams: ['a', 'b'] }],
    ['scanner.mode', 'keyboard', { scanner: { mode: 'keyboard', deviceId: null, prefix: null, suffix: null } }],
    ['scanner.prefix', '#', { scanner: { mode: 'auto', deviceId: null, prefix: '#', suffix: null } }],
  ])('%s %j', (name, text, patch) => {
    expect(settingPatchFromText(name, text, current)).toEqual(patch);
  });

  it.each(['nope', 'scanner.nope', 'currency.sub', 'scanner'])('refuses the unknown name %j, listing the known ones', (name) => {
    expect(() => settingPatchFromText(name, 'x', current)).toThrow(/Unknown setting.*currency/);
  });

  it('a scanner setting stored before framing existed reads as no frame; a frame is 1-8 characters', () => {
    expect(SETTING_SCHEMAS.scanner.parse({ mode: 'auto', deviceId: null })).toEqual({
      mode: 'auto',
      deviceId: null,
      prefix: null,
      suffix: null,
    });
    expect(SettingsPatchSchema.safeParse({ scanner: { prefix: '\u0002' } }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ scanner: { prefix: '' } }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ scanner: { suffix: '123456789' } }).success).toBe(false);
  });

  it('reads values by dotted name', () => {
    expect(settingValue(current, 'scanner.mode')).toBe('auto');
    expect(settingValue(current, 'currency')).toBe('SAR');
    expect(() => settingValue(current, 'missing')).toThrow(SettingsError);
  });

  it('names every leaf setting', () => {
    expect(settingNames()).toContain('scanner.deviceId');
    expect(settingNames()).not.toContain('scanner');
  });
});

describe('setting schemas refuse bad values', () => {
  const patch = StoredSettingsSchema.partial().strict();
  it.each([
    [{ currency: 'XXQ' }],
    [{ country: 'ZZ' }],
    [{ apiBaseUrl: 'https://api.gameball.co/api/v4.0' }],
    [{ apiBaseUrl: 'ftp://x' }],
    [{ apiBaseUrl: 'http://api.gameball.co' }],
    [{ apiBaseUrl: 'http://192.168.1.20:8080' }],
    [{ apiVersion: 'v5' }],
    [{ retentionDays: 0 }],
    [{ retentionDays: 1.5 }],
    [{ receiptPattern: '([' }],
    [{ receiptPattern: '(a+)+' }],
    [{ tillId: 'has space' }],
    [{ language: 'fr' }],
    [{ apiKey: 'x' }],
  ])('%j', (p) => {
    expect(patch.safeParse(p).success).toBe(false);
  });
});

describe('apiBaseUrl: https, or plain http to this computer only', () => {
  const schema = StoredSettingsSchema.shape.apiBaseUrl;
  it.each(['https://api.gameball.co', 'http://127.0.0.1:8787', 'http://127.0.0.53:1', 'http://localhost:8787', 'http://[::1]:8787'])(
    '%s is accepted',
    (url) => {
      expect(schema.parse(url)).toBe(url);
    },
  );
  it.each(['http://api.gameball.co', 'http://10.1.2.3', 'http://localhost.example.com', 'http://127.0.0.1.example.com'])(
    '%s is refused, saying why',
    (url) => {
      const r = schema.safeParse(url);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/https/);
    },
  );
});

describe('the screen and the engine refuse the same receipt patterns', () => {
  it('the contract patch refuses the receipt patterns the stored-settings patch refuses', () => {
    for (const p of ['^R-\\d+$', 'POS:\\d{4,8}', '(INV|RC)-\\d+', '(a+)+', '(a|ab)*c', '(\\d+)\\1', '(?=a)a', '\\w+\\w+\\w+\\w+', '[']) {
      expect(SettingsPatchSchema.safeParse({ receiptPattern: p }).success, p).toBe(
        StoredSettingsPatchSchema.safeParse({ receiptPattern: p }).success,
      );
    }
    expect(SettingsPatchSchema.safeParse({ receiptPattern: '(a+)+' }).success).toBe(false);
  });
});
