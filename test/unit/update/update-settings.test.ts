import { describe, expect, it } from 'vitest';
import { defaultSettings, settingNames, settingPatchFromText, StoredSettingsPatchSchema } from '../../../main/config/settings.ts';

const current = defaultSettings('till-1');

describe('update settings', () => {
  it('defaults: updates on, the built-in server, channel latest, no quiet window, not forced; tills start at login', () => {
    expect(current.update).toEqual({ enabled: true, url: null, channel: 'latest', quietHours: null, force: false });
    expect(current.startAtLogin).toBe(true);
    expect(settingNames()).toEqual(
      expect.arrayContaining(['update.enabled', 'update.url', 'update.channel', 'update.quietHours', 'update.force']),
    );
  });

  it('config set: force, channel, quiet window and URL are validated like every setting', () => {
    const ok = (name: string, text: string) => StoredSettingsPatchSchema.safeParse(settingPatchFromText(name, text, current));
    expect(ok('update.force', 'yes').data?.update?.force).toBe(true);
    expect(ok('update.channel', 'beta').data?.update?.channel).toBe('beta');
    expect(ok('update.quietHours', '22:00-02:00').data?.update?.quietHours).toBe('22:00-02:00');
    expect(ok('update.url', 'https://updates.example.com/pos/').data?.update?.url).toBe('https://updates.example.com/pos');
    expect(ok('update.url', 'null').data?.update?.url).toBeNull();

    expect(ok('update.url', 'http://updates.example.com/pos').error?.issues[0]?.message).toMatch(/https/);
    expect(ok('update.url', 'https://user:pw@updates.example.com').success).toBe(false);
    expect(ok('update.channel', 'Beta 2').error?.issues[0]?.message).toMatch(/lower-case/);
    expect(ok('update.quietHours', '2-5').error?.issues[0]?.message).toMatch(/HH:MM-HH:MM/);
  });
});
