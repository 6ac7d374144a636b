// Adapts the scanner service (main/scanner/service.ts) to what the bridge needs: the ScannerPort
// the routes call and the events the bridge forwards to the screen.
import type { ScannerDevice, ScannerState } from '../../preload/api.ts';
import type { ScannerService } from '../scanner/service.ts';
import type { ScannerEvents } from './bridge.ts';
import type { ScannerPort, ScannerSettings } from './routes.ts';

export function scannerPortFrom(service: ScannerService): ScannerPort & ScannerEvents {
  return {
    listDevices: async () => (await service.listDevices()) as ScannerDevice[],
    state: () => service.getState() as ScannerState,
    apply: (s: ScannerSettings) => service.reconfigure({ mode: s.mode, device: s.deviceId, classify: s.classify }),
    on: ((event: 'scan' | 'state' | 'report', listener: (v: never) => void) => service.on(event, listener as never)) as ScannerEvents['on'],
  };
}
