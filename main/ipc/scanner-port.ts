// Adapts the scanner service (main/scanner/service.ts) to what the bridge needs: the ScannerPort
// the routes call and the events the bridge forwards to the screen.
import type { ScanEventWire, ScannerReport, ScannerState } from '../../preload/api.ts';
import type { ScannerService } from '../scanner/service.ts';
import type { ScannerEvents } from './bridge.ts';
import type { ScannerPort, ScannerSettings } from './routes.ts';

/** Each scanner event as the contract names it. */
interface WireEvents {
  scan: ScanEventWire;
  state: ScannerState;
  report: ScannerReport;
}

export function scannerPortFrom(service: ScannerService): ScannerPort & ScannerEvents {
  const on = <E extends keyof WireEvents>(event: E, listener: (value: WireEvents[E]) => void): (() => void) =>
    service.on(event, (value) => listener(value));
  return {
    listDevices: () => service.listDevices(),
    state: () => service.getState(),
    apply: (s: ScannerSettings) => service.reconfigure({ mode: s.mode, device: s.deviceId, classify: s.classify }),
    on,
  };
}
