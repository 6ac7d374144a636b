// Live engine state for the chrome of the screen: sync status (pushed on every change) and the
// scanner's connection state. Each hook loads once, then follows the pushed events.
import { useEffect, useState } from 'react';
import type { PosApi as Api, Result, ScannerState, SyncStatus, UpdateState } from '../../preload/api.ts';
import { useApi } from './api-context.tsx';

export interface TimedStatus {
  status: SyncStatus;
  /** performance.now() when this status arrived: ages shown later are counted from here. */
  receivedAt: number;
}

export function useSyncStatus(): TimedStatus | null {
  const api = useApi();
  const [state, setState] = useState<TimedStatus | null>(null);
  useEffect(() => {
    let live = true;
    const off = api.on('status', (status) => setState({ status, receivedAt: performance.now() }));
    void api.getStatus().then((r) => {
      if (live && r.ok) setState((prev) => prev ?? { status: r.value, receivedAt: performance.now() });
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return state;
}

export function useScannerState(): ScannerState | null {
  return useFollowed(
    (api, set) => api.on('scanner-state', set),
    (api) => api.getScannerState(),
  );
}

/** The desktop app's update (downloaded, waiting for the queue or a sale, installing); follows the `update` event. */
export function useUpdateState(): UpdateState | null {
  return useFollowed(
    (api, set) => api.on('update', set),
    (api) => api.getUpdateState(),
  );
}

/**
 * A value the engine pushes: read once, then follow its event. A pushed value that arrives before
 * the first read's answer wins (the read only fills an empty state).
 */
function useFollowed<T>(follow: (api: Api, set: (value: T) => void) => () => void, read: (api: Api) => Promise<Result<T>>): T | null {
  const api = useApi();
  const [state, setState] = useState<T | null>(null);
  useEffect(() => {
    let live = true;
    const off = follow(api, (v) => setState(v));
    void read(api).then((r) => {
      if (live && r.ok) setState((prev) => prev ?? r.value);
    });
    return () => {
      live = false;
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follow and read are fixed per hook
  }, [api]);
  return state;
}

/** Re-renders every `ms` so relative ages ("2 minutes ago") stay true. */
export function useTick(ms: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const id = setInterval(() => setNow(performance.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
