// Settings and app info as loaded from the engine, shared by every screen. `replace` is called
// with the engine's answer after an update, so the screen never shows a value main did not keep.
import { createContext, useContext } from 'react';
import type { AppInfo, Settings } from '../../preload/api.ts';

export interface SettingsContextValue {
  settings: Settings;
  info: AppInfo;
  replace(settings: Settings): void;
}

export const SettingsContext = createContext<SettingsContextValue | null>(null);

export function useSettings(): SettingsContextValue {
  const value = useContext(SettingsContext);
  if (!value) throw new Error('useSettings outside <SettingsContext>');
  return value;
}
