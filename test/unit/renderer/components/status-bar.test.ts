// The status bar's clock warning, rendered with React on the real dictionaries: shown only when
// the till's clock is off by more than the threshold, saying what to do, in English and Arabic.
import React, { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncStatus } from '../../../../preload/api.ts';
import { StatusBar } from '../../../../renderer/components/status-bar.tsx';
import { initI18n } from '../../../../renderer/i18n/index.ts';
import type i18next from 'i18next';

const DAY = 86_400_000;
const counts = { pending: 0, sending: 0, synced: 3, attention: 0, discarded: 0 };
const base: SyncStatus = {
  counts,
  refundCounts: counts,
  oldestPendingAgeMs: null,
  lastSuccessAt: null,
  lastError: null,
  online: true,
  training: false,
};

let i18n: typeof i18next;
beforeAll(async () => {
  // initI18n sets the page's lang and dir; this test renders to a string, without a page.
  vi.stubGlobal('document', { documentElement: { lang: '', dir: '' } });
  // Vitest compiles the component's JSX to React.createElement (the app's build uses the automatic runtime).
  vi.stubGlobal('React', React);
  i18n = await initI18n('en');
});

/** The clock warning's text (isolation marks removed), or null when the bar shows none. */
function clockWarning(status: SyncStatus): { kind: string; text: string } | null {
  const html = renderToStaticMarkup(createElement(StatusBar, { timed: { status, receivedAt: 0 }, scanner: null, onOpenQueue: () => {} }));
  const m = /<span class="pill pill-bad" role="status" data-testid="status-clock" data-kind="([a-z-]+)">([^<]*)<\/span>/.exec(html);
  if (!m) {
    expect(html).not.toContain('status-clock');
    return null;
  }
  return { kind: m[1] ?? '', text: (m[2] ?? '').replace(/[\u2068\u2069]/g, '').replace(/&#x27;/g, "'") };
}

describe('status bar: the till clock', () => {
  it('two days ahead: says so and what to do', async () => {
    await i18n.changeLanguage('en');
    expect(clockWarning({ ...base, clockSkewMs: 2 * DAY + 4_000, clockCheckedAt: '2026-03-03T09:00:00.000Z', clockWentBackMs: 0 })).toEqual(
      {
        kind: 'ahead',
        text: 'The till’s clock is 2 days ahead of Gameball: set the date and time on this computer.',
      },
    );
  });

  it('behind, and went back without a measurement', async () => {
    await i18n.changeLanguage('en');
    expect(clockWarning({ ...base, clockSkewMs: -3 * 3_600_000 })?.text).toBe(
      'The till’s clock is 3 hours behind Gameball: set the date and time on this computer.',
    );
    expect(clockWarning({ ...base, clockSkewMs: null, clockWentBackMs: 40 * 60_000 })).toEqual({
      kind: 'went-back',
      text: 'The till’s clock went back 40 minutes (it reads earlier than the last order or Gameball call it recorded): check the date and time on this computer.',
    });
  });

  it('nothing within two minutes, nor from an engine that does not report the clock', async () => {
    await i18n.changeLanguage('en');
    expect(clockWarning({ ...base, clockSkewMs: 90_000, clockWentBackMs: 0 })).toBeNull();
    expect(clockWarning({ ...base, clockSkewMs: null, clockWentBackMs: 60_000 })).toBeNull();
    expect(clockWarning(base)).toBeNull();
  });

  it('in Arabic', async () => {
    await i18n.changeLanguage('ar');
    const w = clockWarning({ ...base, clockSkewMs: 2 * DAY });
    expect(w?.kind).toBe('ahead');
    expect(w?.text).toBe('ساعة نقطة البيع متقدّمة عن ساعة Gameball، والفرق يومان: اضبط التاريخ والوقت على هذا الجهاز.');
  });
});

describe('status bar: a pending update', () => {
  const render = (update: Parameters<typeof StatusBar>[0]['update']) =>
    // Without the isolation marks the dictionaries put around interpolated values.
    renderToStaticMarkup(
      createElement(StatusBar, { timed: { status: base, receivedAt: 0 }, scanner: null, onOpenQueue: () => {}, update }),
    ).replace(/[\u2066-\u2069]/g, '');

  it('says what the downloaded update waits for, in English and Arabic', async () => {
    await i18n.changeLanguage('en');
    expect(render(null)).not.toContain('status-update');
    expect(render({ state: 'none', version: null, waitingFor: null, forced: false })).not.toContain('status-update');
    expect(render({ state: 'ready', version: '1.2.0', waitingFor: 'pending', forced: false })).toContain(
      'Update 1.2.0 ready: installs once every order is sent',
    );
    expect(render({ state: 'ready', version: '1.2.0', waitingFor: 'sale-in-progress', forced: true })).toContain(
      'Update 1.2.0 ready: installs after this sale',
    );
    expect(render({ state: 'ready', version: '1.2.0', waitingFor: 'outside-quiet-hours', forced: false })).toContain('in the quiet hours');
    expect(render({ state: 'downloading', version: '1.2.0', waitingFor: null, forced: false })).toContain('Downloading update 1.2.0');
    expect(render({ state: 'installing', version: '1.2.0', waitingFor: null, forced: false })).toContain('the app restarts');
    await i18n.changeLanguage('ar');
    try {
      expect(render({ state: 'ready', version: '1.2.0', waitingFor: 'pending', forced: false })).toContain(
        'التحديث 1.2.0 جاهز: يُثبَّت بعد إرسال كل الطلبات',
      );
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
