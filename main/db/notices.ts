// What the till tells people about its database: one notice per condition, with a stable code
// (screens translate by it), the parameters a translation needs, and the full English sentence for
// the command line and the log (what happened, what was done, what to do). File paths are in it
// because store IT needs them; keys never are.
import type { NoticeCode } from '../../preload/api.ts';
import type { CorruptDatabaseReport } from './database.ts';
import type { RecoveryReport, UnreadableEntry } from './recover.ts';

// The codes are the contract's (preload/api.ts NOTICE_CODES): the screen has a sentence for each.
export { isNoticeCode } from '../../preload/api.ts';
export type { NoticeCode } from '../../preload/api.ts';

export interface TillNotice {
  code: NoticeCode;
  /** The whole story in English: the command line and the log print it as it is. */
  message: string;
  params: Record<string, string | number>;
}

/** Codes that mean orders may be missing or cannot be saved: a one-shot command stops on them. */
export const SERIOUS_NOTICES: ReadonlySet<NoticeCode> = new Set<NoticeCode>([
  'DB_DAMAGED',
  'DB_DAMAGED_PARTIAL',
  'DB_DAMAGED_UNRECOVERED',
  'DB_DAMAGED_RUNNING',
  'DB_EMPTY',
  'DB_BEHIND',
]);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function listIds(entries: UnreadableEntry[], max = 5): string {
  const shown = entries.slice(0, max).map((e) => `${e.kind} ${e.id}`);
  return entries.length > max
    ? `${shown.join(', ')} and ${entries.length - max} more (pos-companion recover lists them all)`
    : shown.join(', ');
}

/** What could not be read, and what to do about it; '' when everything was read. */
export function unreadableSentences(report: RecoveryReport): string {
  const parts: string[] = [];
  const missing = report.unreadable.filter((u) => u.atGameball !== true);
  const atGameball = report.unreadable.filter((u) => u.atGameball === true);
  if (missing.length > 0) {
    parts.push(
      `${plural(missing.length, 'record')} could not be read and may not have reached Gameball: ${listIds(missing)}. ` +
        (missing.length === 1
          ? 'Look it up in Gameball and capture it again if it is not there.'
          : 'Look them up in Gameball and capture again any that are not there.'),
    );
  }
  if (atGameball.length > 0)
    parts.push(
      `${plural(atGameball.length, 'more record')} could not be read, but Gameball already has ${atGameball.length === 1 ? 'it' : 'them'}.`,
    );
  if (report.unreadableUnnamed > 0)
    parts.push(
      `${plural(report.unreadableUnnamed, 'more row')} ${report.unreadableUnnamed === 1 ? 'was' : 'were'} unreadable and named no order.`,
    );
  if (report.incomplete) {
    const where = report.cutShort
      ? `The damaged file is cut short (${report.cutShort.pages} of ${report.cutShort.expectedPages} pages) and part`
      : 'Part';
    parts.push(
      `${where} of its orders could not be read at all, so some may be gone without a trace: compare the day's receipts with the queue.`,
    );
  }
  return parts.join(' ');
}

/** One line for the `recover` command and the log: counts, then what could not be read. */
export function recoverySummary(report: RecoveryReport): string {
  if (!report.readable)
    return `Nothing could be read from ${report.from}: it is not a readable database (${report.problems[0] ?? 'unknown reason'}).`;
  const o = report.orders;
  const r = report.refunds;
  const head =
    `Recovered ${plural(o.recovered, 'order')} and ${plural(r.recovered, 'refund')} from ${report.from}` +
    `${o.requeued + r.requeued > 0 ? `; ${o.requeued + r.requeued} go back in the queue, each checked with Gameball before it is sent, so nothing is sent twice` : ''}` +
    `${o.alreadyHere + r.alreadyHere > 0 ? `; ${o.alreadyHere + r.alreadyHere} were already here and left as they are` : ''}.`;
  const lost = unreadableSentences(report);
  return lost ? `${head} ${lost}` : `${head} Every row was read.`;
}

export function damagedNotice(
  damage: CorruptDatabaseReport,
  opts: { tillId: string; keys: boolean; report: RecoveryReport | null; recoveryError: string | null },
): TillNotice {
  const movedTo = damage.movedTo[0] ?? `${damage.file}.corrupt-*`;
  const kept = opts.keys
    ? `the same till id (${opts.tillId}), settings and Gameball keys`
    : `the same till id (${opts.tillId}) and settings`;
  const head = `The till's database was damaged (${damage.reason}). It was moved aside to ${movedTo} (kept, not deleted) and a new database was started with ${kept}.`;
  const report = opts.report;
  const params: Record<string, string | number> = {
    movedTo,
    reason: damage.reason,
    tillId: opts.tillId,
    orders: 0,
    refunds: 0,
    requeued: 0,
    unreadable: 0,
  };
  if (!report || !report.readable) {
    const why = opts.recoveryError ?? report?.problems[0] ?? 'unknown reason';
    return {
      code: 'DB_DAMAGED_UNRECOVERED',
      params,
      message:
        `${head} Nothing could be recovered from the damaged file automatically (${why}). Keep that file; once the disk is checked, ` +
        `run: pos-companion recover --from "${movedTo}". Until then, orders that were waiting to be sent are not in the queue: compare the day's receipts with the queue.`,
    };
  }
  const o = report.orders;
  const r = report.refunds;
  const requeued = o.requeued + r.requeued;
  const body =
    ` Recovered from the damaged file: ${plural(o.recovered, 'order')} and ${plural(r.recovered, 'refund')}` +
    (requeued > 0
      ? `; ${requeued} of them had not been confirmed by Gameball and are back in the queue, where each is checked with Gameball before it is sent, so nothing is sent twice.`
      : '.');
  const lost = unreadableSentences(report);
  const unreadable = report.unreadable.filter((u) => u.atGameball !== true).length + report.unreadableUnnamed;
  return {
    code: lost ? 'DB_DAMAGED_PARTIAL' : 'DB_DAMAGED',
    params: { ...params, orders: o.recovered, refunds: r.recovered, requeued, unreadable },
    message: `${head}${body} ${lost || 'Every row was read.'}`,
  };
}

export function runningDamageNotice(detail: string): TillNotice {
  return {
    code: 'DB_DAMAGED_RUNNING',
    params: { detail },
    message:
      `The till's database is damaged (${detail}). Orders cannot be saved safely until POS Companion is started again: ` +
      'close it and open it again (or run any pos-companion command); it then moves the damaged file aside and recovers every order it can read from it.',
  };
}

export function emptyNotice(file: string, tillId: string, had: { createdAt: string }): TillNotice {
  return {
    code: 'DB_EMPTY',
    params: { file, tillId, createdAt: had.createdAt },
    message:
      `The database ${file} is empty, but this till had one with orders (created ${had.createdAt}). If it was restored from a copy, ` +
      `the copy is missing its -wal file: stop POS Companion and restore ${file} together with ${file}-wal from the same copy ` +
      `(never one without the other). Orders that only the -wal held cannot be recovered without it. The till id (${tillId}), settings and keys were kept.`,
  };
}

export function behindNotice(file: string): TillNotice {
  return {
    code: 'DB_BEHIND',
    params: { file },
    message:
      `The database ${file} holds less than this till had written to it: the latest orders or the record of what Gameball answered may be missing. ` +
      `If it was restored from a copy, stop POS Companion and restore ${file} together with ${file}-wal from the same copy (never one without the other). ` +
      'Orders waiting to be sent are looked up at Gameball before they are sent again, so nothing is sent twice.',
  };
}

export function identityUnreadableNotice(file: string, movedTo: string, reason: string): TillNotice {
  return {
    code: 'IDENTITY_UNREADABLE',
    params: { file, movedTo, reason },
    message: `The till's identity file ${file} could not be read (${reason}); it was moved aside to ${movedTo} and written again from the database.`,
  };
}
