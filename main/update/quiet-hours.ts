// The quiet window IT sets for updates (`update.quietHours`, e.g. "02:00-05:00"), in the till's
// local time. A window may cross midnight ("22:00-02:00"). Pure: the caller gives the minute of
// the day; `localMinuteOfDay` reads it from a Date in the process's time zone.
import { z } from 'zod';

export interface QuietHours {
  /** Minutes after local midnight, 0..1439. */
  start: number;
  end: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutes(text: string): number | null {
  const m = HHMM.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** "HH:MM-HH:MM" to a window; null when the text is not one (or starts where it ends). */
export function parseQuietHours(text: string): QuietHours | null {
  const parts = text.split('-');
  if (parts.length !== 2) return null;
  const start = minutes(parts[0] ?? '');
  const end = minutes(parts[1] ?? '');
  if (start === null || end === null || start === end) return null;
  return { start, end };
}

/** The setting: "HH:MM-HH:MM" in 24-hour local time, or null (no window). */
export const QuietHoursSchema = z
  .string()
  .trim()
  .refine((s) => parseQuietHours(s) !== null, 'a window "HH:MM-HH:MM" in 24-hour local time, e.g. 02:00-05:00 (start and end differ)')
  .nullable();

/** Is `minuteOfDay` inside the window? The start minute is inside, the end minute is not. */
export function inQuietHours(window: QuietHours, minuteOfDay: number): boolean {
  if (window.start < window.end) return minuteOfDay >= window.start && minuteOfDay < window.end;
  // Crosses midnight: from start to 24:00, and from 00:00 to end.
  return minuteOfDay >= window.start || minuteOfDay < window.end;
}

export function localMinuteOfDay(at: Date): number {
  return at.getHours() * 60 + at.getMinutes();
}
