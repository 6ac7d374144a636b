import { describe, expect, it } from 'vitest';
import { HidPosDecoder } from '../../../main/scanner/hidpos-decoder.ts';
import { guessLayout, HIDPOS_LAYOUTS, layoutByName, layoutForVendor } from '../../../main/scanner/hidpos-layouts.ts';
import type { DecoderOutput } from '../../../main/scanner/decoder-types.ts';
import { encodeHidPosScan, PRINTABLE_ASCII, SPEC_LAYOUTS, utf8 } from './support/hid-spec.ts';

const LONG_REFERRAL =
  'https://shop.example.com/pages/invite/friends-and-family/welcome?utm_source=qr&utm_medium=till&utm_campaign=spring-2025&GBReferral=Vg6945F76CkP1B&lang=ar';

function decode(layoutName: string, reports: Uint8Array[], at?: (i: number) => number): DecoderOutput[] {
  const d = new HidPosDecoder({ layout: layoutByName(layoutName)! });
  return reports.flatMap((r, i) => d.push(r, at?.(i)));
}

describe('HID POS layouts as data match the vendor documentation', () => {
  it.each(Object.values(SPEC_LAYOUTS).map((s) => [s.name, s] as const))('%s', (name, spec) => {
    const l = layoutByName(name)!;
    expect(l.reportId).toBe(spec.reportId);
    expect(l.lengthOffset).toBe(spec.lengthOffset);
    expect(l.dataOffset).toBe(spec.dataOffset);
    expect(l.maxData).toBe(spec.maxData);
    expect(l.continuationOffset).toBe(spec.moreOffset);
    expect(l.aimInData).toBe(spec.aimInData === true);
  });
  it('chooses the layout by vendor (Honeywell 0x0c2e) and falls back to generic', () => {
    expect(layoutForVendor(0x0c2e).name).toBe('honeywell');
    expect(layoutForVendor(0x05e0).name).toBe('generic');
    expect(layoutForVendor(0x1234).name).toBe('generic');
    expect(layoutForVendor(undefined).name).toBe('generic');
    expect(layoutByName('__proto__')).toBeUndefined();
  });
});

describe('HidPosDecoder', () => {
  it.each(['generic', 'aim-in-data', 'honeywell'])('%s: joins a long referral URL sent over several reports', (name) => {
    const reports = encodeHidPosScan(utf8(LONG_REFERRAL), SPEC_LAYOUTS[name]!, { aim: ']Q1' });
    expect(reports.length).toBe(Math.ceil((LONG_REFERRAL.length + (name === 'aim-in-data' ? 3 : 0)) / 56));
    expect(reports.length).toBeGreaterThanOrEqual(3);
    const outs = decode(name, reports);
    expect(outs).toHaveLength(1);
    expect(outs[0]).toMatchObject({ type: 'scan', text: LONG_REFERRAL });
    if (name !== 'generic') expect(outs[0]).toMatchObject({ symbology: ']Q1' });
  });

  it.each(['aim-in-data', 'honeywell'])('%s: carries every QR AIM id ]Q0..]Q6 and other symbologies as symbology', (name) => {
    for (const aim of [']Q0', ']Q1', ']Q2', ']Q3', ']Q4', ']Q5', ']Q6', ']E0', ']E4', ']C0', ']C1', ']d1', ']L0', ']z0']) {
      const outs = decode(name, encodeHidPosScan(utf8(LONG_REFERRAL), SPEC_LAYOUTS[name]!, { aim }));
      expect(outs, aim).toEqual([{ type: 'scan', text: LONG_REFERRAL, symbology: aim }]);
    }
  });

  it('decodes every printable ASCII character and exact multiples of the report size', () => {
    for (const text of [PRINTABLE_ASCII, 'a'.repeat(56), 'b'.repeat(112), 'c']) {
      expect(decode('generic', encodeHidPosScan(utf8(text), SPEC_LAYOUTS.generic!))).toEqual([{ type: 'scan', text }]);
    }
  });

  it('keeps UTF-8 characters split across two reports whole', () => {
    const text = `${'x'.repeat(55)}é€مرحبا`;
    expect(decode('generic', encodeHidPosScan(utf8(text), SPEC_LAYOUTS.generic!))).toEqual([{ type: 'scan', text }]);
  });

  it('Honeywell: reads the symbology from the code-id byte when the AIM bytes are empty', () => {
    const reports = encodeHidPosScan(utf8('4006381333931'), SPEC_LAYOUTS.honeywell!, { codeId: 0x64 });
    expect(decode('honeywell', reports)).toEqual([{ type: 'scan', text: '4006381333931', symbology: ']E0' }]);
  });

  it('decodes consecutive scans independently (symbology does not leak to the next scan)', () => {
    const a = encodeHidPosScan(utf8('REF123456'), SPEC_LAYOUTS['aim-in-data']!, { aim: ']Q1' });
    const b = encodeHidPosScan(utf8('4006381333931'), SPEC_LAYOUTS['aim-in-data']!);
    expect(decode('aim-in-data', [...a, ...b])).toEqual([
      { type: 'scan', text: 'REF123456', symbology: ']Q1' },
      { type: 'scan', text: '4006381333931' },
    ]);
  });

  it('ignores reports with another report id and empty keep-alive reports', () => {
    const status = new Uint8Array(64);
    status[0] = 0x04;
    status[1] = 9;
    const empty = new Uint8Array(64);
    empty[0] = 0x02;
    const scan = encodeHidPosScan(utf8('hello'), SPEC_LAYOUTS.generic!);
    expect(decode('generic', [status, empty, ...scan])).toEqual([{ type: 'scan', text: 'hello' }]);
  });

  it('treats an impossible length byte or a short report as garbage and drops the partial scan', () => {
    const long = encodeHidPosScan(utf8('y'.repeat(100)), SPEC_LAYOUTS.generic!);
    const bad = new Uint8Array(64);
    bad[0] = 0x02;
    bad[1] = 57; // more than 56 data bytes cannot fit
    const short = Uint8Array.from([0x02, 3, 0x61, 0x62, 0x63]);
    const outs = decode('generic', [long[0]!, bad, short, ...encodeHidPosScan(utf8('ok'), SPEC_LAYOUTS.generic!)]);
    expect(outs.map((o) => o.type)).toEqual(['malformed', 'rejected', 'malformed', 'scan']);
    expect(outs[1]).toMatchObject({ reason: 'incomplete', text: 'y'.repeat(56) });
    expect(outs[3]).toMatchObject({ text: 'ok' });
  });

  it('refuses a scan over maxBytes as overflow without growing, then decodes the next one', () => {
    const d = new HidPosDecoder({ layout: HIDPOS_LAYOUTS.generic!, maxBytes: 100 });
    const outs = [
      ...encodeHidPosScan(utf8('z'.repeat(1_000)), SPEC_LAYOUTS.generic!),
      ...encodeHidPosScan(utf8('after'), SPEC_LAYOUTS.generic!),
    ].flatMap((r) => d.push(r));
    expect(outs.map((o) => o.type)).toEqual(['rejected', 'scan']);
    expect(outs[0]).toMatchObject({ reason: 'overflow' });
    expect((outs[0] as { text: string }).text.length).toBeLessThanOrEqual(100);
    expect(outs[1]).toMatchObject({ text: 'after' });
  });

  it('gives up on a continuation that never comes (stall) and reset() reports a cut-off scan', () => {
    const reports = encodeHidPosScan(utf8('q'.repeat(80)), SPEC_LAYOUTS.generic!);
    const outs = decode('generic', [reports[0]!, ...encodeHidPosScan(utf8('fresh'), SPEC_LAYOUTS.generic!)], (i) => i * 5_000);
    expect(outs).toEqual([
      { type: 'rejected', reason: 'incomplete', text: 'q'.repeat(56), at: 0 },
      { type: 'scan', text: 'fresh', at: 5_000 },
    ]);
    const d = new HidPosDecoder();
    d.push(reports[0]!);
    expect(d.reset()).toEqual([{ type: 'rejected', reason: 'incomplete', text: 'q'.repeat(56) }]);
    expect(d.push(reports[1]!)).toEqual([{ type: 'scan', text: 'q'.repeat(24) }]);
  });
});

describe('guessLayout (capture replays without a layout line)', () => {
  it.each(['generic', 'aim-in-data', 'honeywell'])('recognises a %s first report', (name) => {
    const first = encodeHidPosScan(utf8('REF123456'), SPEC_LAYOUTS[name]!, {
      aim: ']Q1',
      codeId: name === 'honeywell' ? 0x73 : undefined,
    })[0]!;
    expect(guessLayout(first).name).toBe(name);
  });
  it('recognises Honeywell without a code id from where the data ends', () => {
    const first = encodeHidPosScan(utf8('REF123456'), SPEC_LAYOUTS.honeywell!, { aim: ']Q1' })[0]!;
    expect(guessLayout(first).name).toBe('honeywell');
  });
});
