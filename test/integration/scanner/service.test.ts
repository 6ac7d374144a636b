import { afterEach, describe, expect, it } from 'vitest';
import { createScannerService, scannerConfigFrom } from '../../../main/scanner/service.ts';
import type { ScannerEvents, ScannerService, ScannerServiceConfig } from '../../../main/scanner/service.ts';
import type { HidDeviceInfo } from '../../../main/scanner/transport.ts';
import { encodeHidPosScan, encodeKeyboardScan, SPEC_LAYOUTS, utf8 } from '../../unit/scanner/support/hid-spec.ts';
import { FakeHid, ManualTime, settle } from './fake-hid.ts';

const POS: HidDeviceInfo = {
  path: '/dev/hidraw4',
  vendorId: 0x05e0,
  productId: 0x1900,
  product: 'Symbol Bar Code Scanner',
  usagePage: 0x8c,
  usage: 0x02,
};
const HONEYWELL: HidDeviceInfo = {
  path: '/dev/hidraw5',
  vendorId: 0x0c2e,
  productId: 0x0b8f,
  product: 'Voyager 1470g',
  serialNumber: 'SN1',
  usagePage: 0x8c,
  usage: 0x02,
};
const KEYBOARD: HidDeviceInfo = {
  path: '/dev/hidraw0',
  vendorId: 0x046d,
  productId: 0xc31c,
  product: 'USB Keyboard',
  usagePage: 0x01,
  usage: 0x06,
};
const WEDGE: HidDeviceInfo = {
  path: '/dev/hidraw6',
  vendorId: 0x0c2e,
  productId: 0x0b87,
  product: 'Voyager (keyboard)',
  usagePage: 0x01,
  usage: 0x06,
};
const LINK = 'https://shop.example/invite/welcome?utm_source=qr&utm_medium=till&GBReferral=Vg6945F76CkP1B&campaign=spring';

interface Harness {
  hid: FakeHid;
  time: ManualTime;
  service: ScannerService;
  events: { [E in keyof ScannerEvents]: ScannerEvents[E][] };
}

let running: ScannerService[] = [];
afterEach(async () => {
  for (const s of running) await s.stop();
  running = [];
});

function harness(devices: HidDeviceInfo[], config: Partial<ScannerServiceConfig> = {}): Harness {
  const hid = new FakeHid();
  hid.devices = [...devices];
  const time = new ManualTime();
  const service = createScannerService({
    transport: hid,
    clock: time,
    timers: time,
    config: { mode: 'auto', platform: 'linux', ...config },
  });
  const events: Harness['events'] = { scan: [], state: [], report: [] };
  service.on('scan', (e) => events.scan.push(e));
  service.on('state', (e) => events.state.push(e));
  service.on('report', (e) => events.report.push(e));
  running.push(service);
  return { hid, time, service, events };
}

async function started(devices: HidDeviceInfo[], config: Partial<ScannerServiceConfig> = {}): Promise<Harness> {
  const h = harness(devices, config);
  h.service.start();
  await settle();
  return h;
}

describe('scanner service against a fake HID transport', () => {
  it('opens the HID POS scanner (not the keyboard) and turns its reports into classified scan events', async () => {
    const h = await started([KEYBOARD, POS]);
    expect(h.hid.opened.map((o) => o.path)).toEqual([POS.path]);
    expect(h.service.getState()).toMatchObject({
      state: 'connected',
      code: 'connected',
      device: { kind: 'hidpos', layout: 'generic', product: POS.product },
    });
    await h.time.advance(1234);
    for (const r of encodeHidPosScan(utf8(LINK), SPEC_LAYOUTS.generic!)) h.hid.current!.send(r);
    expect(h.events.report).toHaveLength(2);
    expect(h.events.report[0]!.hex).toMatch(/^02380?/);
    expect(h.events.scan).toEqual([
      {
        source: 'hidpos',
        at: 1234,
        deviceId: '05e0:1900/8c:02',
        classification: { kind: 'referral', text: LINK, referrerCode: 'Vg6945F76CkP1B', referralParam: 'GBReferral' },
      },
    ]);
  });

  it('uses the Honeywell layout for Honeywell scanners and keeps the AIM symbology', async () => {
    const h = await started([HONEYWELL]);
    expect(h.service.getState().device).toMatchObject({ layout: 'honeywell', vendorName: 'Honeywell', id: '0c2e:0b8f:SN1/8c:02' });
    for (const r of encodeHidPosScan(utf8('mobile_966500001234123456'), SPEC_LAYOUTS.honeywell!, { aim: ']Q1' })) h.hid.current!.send(r);
    expect(h.events.scan[0]!.classification).toEqual({
      kind: 'customer',
      text: 'mobile_966500001234123456',
      symbology: ']Q1',
      customerId: 'mobile_966500001234',
      hash: '123456',
    });
  });

  it('unplugged mid-scan: drops the half scan as incomplete, reports disconnected, polls with backoff, reopens and decodes cleanly', async () => {
    const h = await started([POS]);
    const first = h.hid.current!;
    const reports = encodeHidPosScan(utf8(LINK), SPEC_LAYOUTS.generic!);
    first.send(reports[0]!);
    expect(h.events.scan).toEqual([]);

    h.hid.devices = [];
    first.fail(new Error('could not read from HID device'));
    await settle();
    expect(first.closed).toBe(true);
    expect(h.events.scan.map((e) => e.classification)).toEqual([{ kind: 'rejected', text: LINK.slice(0, 56), reason: 'incomplete' }]);
    expect(h.service.getState()).toMatchObject({ state: 'disconnected', code: 'device-lost' });

    // Slow look-again while disconnected: 2 s, then x1.5 up to 5 s.
    const listsBefore = h.hid.listCalls;
    h.time.delays.length = 0;
    await h.time.advance(2_000 + 3_000 + 4_500 + 5_000);
    expect(h.hid.listCalls - listsBefore).toBe(4);
    expect(h.time.delays).toEqual([3_000, 4_500, 5_000, 5_000]);
    expect(h.service.getState()).toMatchObject({ state: 'disconnected', code: 'not-found' });

    h.hid.devices = [POS];
    await h.time.advance(5_000);
    expect(h.service.getState()).toMatchObject({ state: 'connected' });
    const second = h.hid.current!;
    expect(second).not.toBe(first);
    for (const r of reports) second.send(r);
    expect(h.events.scan.at(-1)!.classification).toMatchObject({ kind: 'referral', text: LINK });
    // The late report of the dead handle is ignored.
    expect(() => first.fail(new Error('late'))).not.toThrow();
    expect(h.service.getState().state).toBe('connected');
  });

  it('never lists devices while connected', async () => {
    const h = await started([POS]);
    const lists = h.hid.listCalls;
    await h.time.advance(10 * 60_000);
    expect(h.hid.listCalls).toBe(lists);
    expect(h.time.pending).toBe(0);
  });

  it('notices arrival from the OS hint without waiting for the poll', async () => {
    const h = await started([], { pollMs: { min: 4_000, max: 5_000 } });
    expect(h.service.getState()).toMatchObject({ state: 'disconnected', code: 'not-found' });
    h.hid.devices = [POS];
    h.hid.hint!();
    await h.time.advance(299);
    expect(h.service.getState().state).toBe('disconnected');
    await h.time.advance(1);
    expect(h.service.getState()).toMatchObject({ state: 'connected' });
    // A hint while connected changes nothing.
    const lists = h.hid.listCalls;
    h.hid.hint!();
    await h.time.advance(10_000);
    expect(h.hid.listCalls).toBe(lists);
  });

  it('reports an open failure with the reason and what to do, and retries until it opens', async () => {
    const h = harness([POS]);
    h.hid.openErrors.set(POS.path, [
      new Error('cannot open device with path /dev/hidraw4'),
      new Error('cannot open device with path /dev/hidraw4'),
    ]);
    h.service.start();
    await settle();
    const state = h.service.getState();
    expect(state).toMatchObject({ state: 'error', code: 'open-failed', device: { id: '05e0:1900/8c:02' } });
    expect(state.reason).toContain('cannot open device');
    expect(state.reason).toContain('udev');
    await h.time.advance(2_000);
    expect(h.service.getState().state).toBe('error');
    await h.time.advance(3_000);
    expect(h.service.getState()).toMatchObject({ state: 'connected' });
    expect(h.events.state.map((s) => s.state)).toEqual(['error', 'connected']);
  });

  it('reports a listing failure as an error and keeps trying', async () => {
    const h = harness([POS]);
    let fail = true;
    const list = h.hid.list.bind(h.hid);
    h.hid.list = async () => {
      if (fail) throw new Error('enumeration failed');
      return list();
    };
    h.service.start();
    await settle();
    expect(h.service.getState()).toMatchObject({ state: 'error', code: 'open-failed' });
    fail = false;
    await h.time.advance(2_000);
    expect(h.service.getState().state).toBe('connected');
  });

  it('on Windows, a scanner in keyboard mode is reported, not opened', async () => {
    const h = await started([KEYBOARD, WEDGE], { platform: 'win32' });
    expect(h.hid.opened).toEqual([]);
    expect(h.service.getState()).toMatchObject({ state: 'disconnected', code: 'keyboard-mode' });
    expect(h.service.getState().reason).toContain('Honeywell');
  });

  it('on Linux, an explicitly selected keyboard-mode scanner is read through hidraw', async () => {
    const h = await started([KEYBOARD, WEDGE], { device: '0c2e:0b87' });
    expect(h.hid.opened.map((o) => o.path)).toEqual([WEDGE.path]);
    for (const r of encodeKeyboardScan('REF123456')) h.hid.current!.send(r);
    expect(h.events.scan).toMatchObject([{ source: 'hid-keyboard', classification: { kind: 'referral', referrerCode: 'REF123456' } }]);
  });

  it('an explicitly selected keyboard on Windows fails with a reason a person can act on', async () => {
    const h = harness([WEDGE], { platform: 'win32', device: WEDGE.path });
    h.hid.openErrors.set(WEDGE.path, [new Error('cannot open device')]);
    h.service.start();
    await settle();
    expect(h.service.getState()).toMatchObject({ state: 'error', code: 'open-failed' });
    expect(h.service.getState().reason).toContain('keyboard mode');
  });

  it('opens nothing in off and keyboard modes', async () => {
    for (const mode of ['off', 'keyboard'] as const) {
      const h = await started([POS], { mode });
      await h.time.advance(60_000);
      expect(h.hid.listCalls).toBe(0);
      expect(h.service.getState()).toMatchObject({ state: 'disabled', code: mode === 'off' ? 'disabled' : 'keyboard-mode' });
    }
  });

  it('stop() closes the device, cancels the poll and reports disabled', async () => {
    const h = await started([POS]);
    const handle = h.hid.current!;
    await h.service.stop();
    expect(handle.closed).toBe(true);
    expect(h.service.getState()).toMatchObject({ state: 'disabled' });
    const d = await started([]);
    await d.service.stop();
    const lists = d.hid.listCalls;
    await d.time.advance(60_000);
    expect(d.hid.listCalls).toBe(lists);
    expect(d.time.pending).toBe(0);
  });

  it('reconfigure() moves to the newly selected device', async () => {
    const h = await started([POS, HONEYWELL]);
    expect(h.hid.current!.path).toBe(POS.path);
    const old = h.hid.current!;
    await h.service.reconfigure({ device: '0c2e:0b8f' });
    await settle();
    expect(old.closed).toBe(true);
    expect(h.hid.current!.path).toBe(HONEYWELL.path);
    expect(h.service.getState().device).toMatchObject({ layout: 'honeywell' });
  });

  it('a listener that throws does not stop the others', async () => {
    const h = await started([POS]);
    const got: string[] = [];
    h.service.on('scan', () => {
      throw new Error('boom');
    });
    h.service.on('scan', (e) => got.push(e.classification.text));
    for (const r of encodeHidPosScan(utf8('REF123456'), SPEC_LAYOUTS.generic!)) h.hid.current!.send(r);
    expect(got).toEqual(['REF123456']);
  });

  it('lists devices on request with what each is', async () => {
    const h = await started([KEYBOARD, POS, WEDGE]);
    const devices = await h.service.listDevices();
    expect(devices.map((d) => [d.id, d.kind, d.likelyScanner])).toEqual([
      ['046d:c31c/01:06', 'keyboard', false],
      ['05e0:1900/8c:02', 'hidpos', true],
      ['0c2e:0b87/01:06', 'keyboard', true],
    ]);
  });
});

describe('scannerConfigFrom', () => {
  it("reads the till's scanner mode, pinned device and scan classification settings", () => {
    const config = scannerConfigFrom(
      {
        scanner: { mode: 'hidpos', deviceId: '0c2e:0b61/8c:02' },
        customerIdPrefixes: ['cust_'],
        referralParams: ['ref'],
        receiptPattern: '^R\\d+$',
      },
      'linux',
    );
    expect(config).toEqual({
      mode: 'hidpos',
      device: '0c2e:0b61/8c:02',
      classify: { customerIdPrefixes: ['cust_'], referralParams: ['ref'], receiptPattern: '^R\\d+$' },
      platform: 'linux',
    });
  });
});
