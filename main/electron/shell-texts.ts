// The few sentences the shell itself says (the close question, the tray), in the till's language.
// The screen's texts live in renderer/i18n; these never reach the page.
export interface ShellTexts {
  closeTitle: string;
  closeMessage(owed: number): string;
  closeDetail: string;
  keepSyncing: string;
  quitAnyway: string;
  cancel: string;
  trayOpen: string;
  trayQuit: string;
  trayStatus(owed: number): string;
  trayTooltip(owed: number): string;
}

const en: ShellTexts = {
  closeTitle: 'POS Companion',
  closeMessage: (n) =>
    n === 1 ? '1 order is still waiting to be sent to Gameball.' : `${n} orders are still waiting to be sent to Gameball.`,
  closeDetail:
    'They are saved on this till. Keep syncing in the background and they go out as soon as Gameball answers; if you quit, they wait until POS Companion runs again.',
  keepSyncing: 'Keep syncing in the background',
  quitAnyway: 'Quit anyway',
  cancel: 'Cancel',
  trayOpen: 'Open POS Companion',
  trayQuit: 'Quit',
  trayStatus: (n) => (n === 0 ? 'All orders sent' : n === 1 ? '1 order waiting' : `${n} orders waiting`),
  trayTooltip: (n) => `POS Companion: ${en.trayStatus(n).toLowerCase()}`,
};

const ar: ShellTexts = {
  closeTitle: 'POS Companion',
  closeMessage: (n) => (n === 1 ? 'ما زال طلب واحد بانتظار الإرسال إلى Gameball.' : `ما زالت ${n} طلبات بانتظار الإرسال إلى Gameball.`),
  closeDetail:
    'الطلبات محفوظة على هذا الجهاز. تابِع المزامنة في الخلفية لتُرسَل فور استجابة Gameball؛ وإذا أغلقت البرنامج فستنتظر حتى يعمل POS Companion مجددًا.',
  keepSyncing: 'متابعة المزامنة في الخلفية',
  quitAnyway: 'إغلاق على أي حال',
  cancel: 'إلغاء',
  trayOpen: 'فتح POS Companion',
  trayQuit: 'إغلاق',
  trayStatus: (n) => (n === 0 ? 'أُرسلت كل الطلبات' : n === 1 ? 'طلب واحد بالانتظار' : `${n} طلبات بالانتظار`),
  trayTooltip: (n) => `POS Companion: ${ar.trayStatus(n)}`,
};

export function shellTexts(language: string): ShellTexts {
  return language === 'ar' ? ar : en;
}
