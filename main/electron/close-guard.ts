// Never quit with orders pending by accident. Closing the window of a till that still owes
// Gameball orders or refunds asks first, and offers to keep syncing from the tray (Windows) or the
// menu bar (macOS); a deliberate quit (the tray's Quit, confirmed; an update installing; the
// computer shutting down) goes through without a question.
//
// `decideOnClose` is the pure rule; `askOnClose` shows the question with whatever `dialog` it is
// given (Electron's, or the test stand-in's). Orders are on disk either way: quitting never loses
// one, it only stops sending until the app runs again; the question says so.
import type { SyncStatus } from '../../preload/api.ts';
import type { ShellTexts } from './shell-texts.ts';

export type CloseDecision = 'close' | 'ask';

/** Orders and refunds still owed to Gameball (waiting or being sent); needs-attention ones wait for a person, not the app. */
export function owedCount(status: Pick<SyncStatus, 'counts' | 'refundCounts'>): number {
  const r = status.refundCounts;
  return status.counts.pending + status.counts.sending + (r ? r.pending + r.sending : 0);
}

/** Close at once when nothing is owed or the quit is deliberate; otherwise ask. */
export function decideOnClose(status: Pick<SyncStatus, 'counts' | 'refundCounts'>, ctx: { deliberate: boolean }): CloseDecision {
  if (ctx.deliberate) return 'close';
  return owedCount(status) > 0 ? 'ask' : 'close';
}

export type CloseChoice = 'background' | 'quit' | 'cancel';

/** The part of Electron's dialog used here. */
export interface MessageBoxDialog<W> {
  showMessageBox(
    window: W,
    options: {
      type: 'question';
      buttons: string[];
      defaultId: number;
      cancelId: number;
      title: string;
      message: string;
      detail: string;
      noLink: boolean;
    },
  ): Promise<{ response: number }>;
}

/** Asks what to do with `owed` orders waiting: keep syncing in the background (default), quit anyway, or stay. */
export async function askOnClose<W>(dialog: MessageBoxDialog<W>, window: W, texts: ShellTexts, owed: number): Promise<CloseChoice> {
  const choices: CloseChoice[] = ['background', 'quit', 'cancel'];
  const { response } = await dialog.showMessageBox(window, {
    type: 'question',
    buttons: [texts.keepSyncing, texts.quitAnyway, texts.cancel],
    defaultId: 0,
    cancelId: 2,
    title: texts.closeTitle,
    message: texts.closeMessage(owed),
    detail: texts.closeDetail,
    noLink: true,
  });
  return choices[response] ?? 'cancel';
}

/** The tray's Quit with orders owed: quit anyway, or keep syncing. */
export async function confirmQuit<W>(dialog: MessageBoxDialog<W>, window: W, texts: ShellTexts, owed: number): Promise<boolean> {
  const { response } = await dialog.showMessageBox(window, {
    type: 'question',
    buttons: [texts.quitAnyway, texts.keepSyncing],
    defaultId: 1,
    cancelId: 1,
    title: texts.closeTitle,
    message: texts.closeMessage(owed),
    detail: texts.closeDetail,
    noLink: true,
  });
  return response === 0;
}
