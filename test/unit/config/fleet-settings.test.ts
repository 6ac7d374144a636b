// The fleet view's settings (docs/fleet.md): opt-in (no URL by default), the URL follows the keys'
// rule (https, or http only to this computer) and carries no credentials, the interval is at
// least 15 s, and `config set fleet.*` reaches each field.
import { expect, it } from 'vitest';
import {
  defaultSettings,
  PushUrlSchema,
  settingNames,
  settingPatchFromText,
  StoredSettingsPatchSchema,
} from '../../../main/config/settings.ts';

const current = defaultSettings('till-1');
const patch = (name: string, text: string) => StoredSettingsPatchSchema.safeParse(settingPatchFromText(name, text, current));

it('is off by default: no push URL, a minute between pushes, no user', () => {
  expect(current.fleet).toEqual({ pushUrl: null, pushIntervalSeconds: 60, pushUser: null });
  expect(settingNames()).toEqual(expect.arrayContaining(['fleet.pushUrl', 'fleet.pushIntervalSeconds', 'fleet.pushUser']));
});

it.each([
  ['https://pushgateway.example.com', 'https://pushgateway.example.com'],
  ['https://example.com/pushgateway/', 'https://example.com/pushgateway'],
  ['http://127.0.0.1:9091', 'http://127.0.0.1:9091'],
  ['http://localhost:9091/', 'http://localhost:9091'],
  ['http://[::1]:9091', 'http://[::1]:9091'],
])('accepts %s', (url, stored) => {
  expect(PushUrlSchema.parse(url)).toBe(stored);
});

it.each([
  'http://pushgateway.example.com',
  'http://10.0.0.5:9091',
  'https://office:secret@pushgateway.example.com',
  'https://pushgateway.example.com/?x=1',
  'ftp://127.0.0.1',
  'pushgateway.example.com',
  '',
])('refuses %j', (url) => {
  expect(PushUrlSchema.safeParse(url).success).toBe(false);
});

it('config set reaches each field; the interval is at least 15 s; null clears the URL', () => {
  expect(patch('fleet.pushUrl', 'https://pg.example.com').data).toEqual({ fleet: { ...current.fleet, pushUrl: 'https://pg.example.com' } });
  expect(patch('fleet.pushUrl', 'null').data).toEqual({ fleet: current.fleet });
  expect(patch('fleet.pushIntervalSeconds', '15').data?.fleet?.pushIntervalSeconds).toBe(15);
  expect(patch('fleet.pushIntervalSeconds', '14').success).toBe(false);
  expect(patch('fleet.pushUser', 'office').data?.fleet?.pushUser).toBe('office');
  expect(patch('fleet.pushUrl', 'http://pg.example.com').success).toBe(false);
  // No password setting: it comes from the environment only.
  expect(() => settingPatchFromText('fleet.pushPassword', 'x', current)).toThrow(/Unknown setting/);
});
