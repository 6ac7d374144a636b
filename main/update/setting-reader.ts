// The `update` setting read fresh from the database file on each call, through a read-only
// connection of its own: `pos-companion config set update.force true` (another process) must reach
// the running app without a restart, and the engine keeps its settings cached. A row that is
// missing or does not parse reads as the default.
import Database from 'better-sqlite3';
import { DEFAULT_UPDATE_SETTING, UpdateSettingSchema, type UpdateSetting } from './settings.ts';

export interface UpdateSettingReader {
  read(): UpdateSetting;
  close(): void;
}

export function openUpdateSettingReader(dbFile: string): UpdateSettingReader {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const row = db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'update'");
  return {
    read() {
      const raw = row.get()?.value;
      if (raw === undefined) return { ...DEFAULT_UPDATE_SETTING };
      try {
        const parsed = UpdateSettingSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : { ...DEFAULT_UPDATE_SETTING };
      } catch {
        return { ...DEFAULT_UPDATE_SETTING };
      }
    },
    close: () => db.close(),
  };
}
