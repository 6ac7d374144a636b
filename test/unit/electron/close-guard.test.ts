import { describe, expect, it } from 'vitest';
import { askOnClose, decideOnClose, owedCount } from '../../../main/electron/close-guard.ts';
import { shellTexts } from '../../../main/electron/shell-texts.ts';

const zero = { pending: 0, sending: 0, synced: 3, attention: 0, discarded: 1 };
const status = (o: Partial<typeof zero> = {}, r: Partial<typeof zero> = {}) => ({
  counts: { ...zero, ...o },
  refundCounts: { ...zero, ...r },
});

describe('decideOnClose', () => {
  it('asks while orders or refunds are waiting or being sent', () => {
    expect(decideOnClose(status({ pending: 1 }), { deliberate: false })).toBe('ask');
    expect(decideOnClose(status({ sending: 1 }), { deliberate: false })).toBe('ask');
    expect(decideOnClose(status({}, { pending: 2 }), { deliberate: false })).toBe('ask');
    expect(owedCount(status({ pending: 2, sending: 1 }, { pending: 1, sending: 1 }))).toBe(5);
  });

  it('closes at once when nothing is owed (needs-attention orders wait for a person, not the app)', () => {
    expect(decideOnClose(status(), { deliberate: false })).toBe('close');
    expect(decideOnClose(status({ attention: 4 }), { deliberate: false })).toBe('close');
    expect(decideOnClose({ counts: { ...zero } }, { deliberate: false })).toBe('close');
  });

  it('a deliberate quit (tray Quit confirmed, an update, shutdown) is never asked about', () => {
    expect(decideOnClose(status({ pending: 9 }), { deliberate: true })).toBe('close');
  });
});

describe('askOnClose', () => {
  it('maps the buttons to choices; Escape (the cancel id) stays', async () => {
    const answers = [0, 1, 2, 7];
    const shown: unknown[] = [];
    const dialog = {
      showMessageBox: (_w: null, o: unknown) => {
        shown.push(o);
        return Promise.resolve({ response: answers.shift()! });
      },
    };
    const t = shellTexts('en');
    expect(await askOnClose(dialog, null, t, 3)).toBe('background');
    expect(await askOnClose(dialog, null, t, 3)).toBe('quit');
    expect(await askOnClose(dialog, null, t, 3)).toBe('cancel');
    expect(await askOnClose(dialog, null, t, 3)).toBe('cancel');
    expect(shown[0]).toMatchObject({ message: '3 orders are still waiting to be sent to Gameball.', cancelId: 2, defaultId: 0 });
    expect(shellTexts('ar').closeMessage(3)).toBe('ما زالت 3 طلبات بانتظار الإرسال إلى Gameball.');
    expect(shellTexts('ar').trayStatus(0)).toBe('أُرسلت كل الطلبات');
  });
});
