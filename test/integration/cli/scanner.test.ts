import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerScannerCommands } from '../../../main/cli/scanner.ts';
import { parseCapture } from '../../../main/scanner/capture.ts';
import { replayCapture } from '../../../main/scanner/replay.ts';
import { encodeHidPosScan, SPEC_LAYOUTS, utf8 } from '../../unit/scanner/support/hid-spec.ts';
import { FakeHid, settle } from '../scanner/fake-hid.ts';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(root, 'test/fixtures/scanner');
const tmp = mkdtempSync(join(tmpdir(), 'pos-scanner-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', join(root, 'main/cli.ts'), ...args], { cwd: root, timeout: 20_000 });
}
const jsonLines = (s: string): unknown[] =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** The example of ZATCA's QR code guideline (Base64 of TLV, tags 1-5). */
const ZATCA_SAMPLE = 'AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDowMFoEBzEwMDAuMDAFBjE1MC4wMA==';
const ZATCA_FIELDS = {
  total: '1000.00',
  vatTotal: '150.00',
  sellerName: 'Bobs Records',
  vatNumber: '310122393500003',
  time: '2022-04-25T15:30:00Z',
};

describe('pos-companion scanner commands (real process)', () => {
  it('replay prints one JSON object per scan, in order', async () => {
    const { stdout } = await cli('replay', join(fixtures, 'hidpos-generic-customer-then-product.cap'));
    expect(jsonLines(stdout)).toEqual([
      { text: 'mobile_966500001234123456', kind: 'customer', customerId: 'mobile_966500001234', hash: '123456' },
      { text: '4006381333931', kind: 'product' },
    ]);
  });

  it('replay --mode keyboard reads keyboard captures and reports unreadable lines on stderr', async () => {
    const file = join(tmp, 'mixed.cap');
    writeFileSync(file, `${readFileSync(join(fixtures, 'keyboard-referral-code.cap'), 'utf8')}\nnot hex\n`);
    const { stdout, stderr } = await cli('replay', file, '--mode', 'keyboard');
    expect(jsonLines(stdout)).toEqual([{ text: 'REF123456', kind: 'referral', referrerCode: 'REF123456' }]);
    expect(stderr).toMatch(/mixed\.cap:\d+: not hex bytes/);
  });

  it('scan-parse prints one classification and honours store options', async () => {
    expect(jsonLines((await cli('scan-parse', ']Q1https://shop.example/j?ref=AB12CD')).stdout)).toEqual([
      { text: 'https://shop.example/j?ref=AB12CD', kind: 'referral', symbology: ']Q1', referrerCode: 'AB12CD' },
    ]);
    expect(jsonLines((await cli('scan-parse', 'javascript:alert(1)')).stdout)).toEqual([
      { text: 'javascript:alert(1)', kind: 'rejected', reason: 'scheme-not-allowed' },
    ]);
    expect(jsonLines((await cli('scan-parse', 'https://s.example/?invite=Q1W2', '--referral-param', 'invite')).stdout)).toEqual([
      { text: 'https://s.example/?invite=Q1W2', kind: 'referral', referrerCode: 'Q1W2' },
    ]);
  });

  it('scan-parse prints a ZATCA e-invoice QR as a receipt with its total, VAT total, seller, VAT number and time', async () => {
    expect(jsonLines((await cli('scan-parse', ZATCA_SAMPLE)).stdout)).toEqual([{ text: ZATCA_SAMPLE, kind: 'receipt', ...ZATCA_FIELDS }]);
  });

  it('scan-parse refuses a receipt pattern that backtracks catastrophically, at once, naming what is not allowed', async () => {
    const started = Date.now();
    const run = cli('scan-parse', `${'a'.repeat(28)}!`, '--receipt-pattern', '(a+)+');
    await expect(run).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('The receipt pattern is refused: nested quantifiers, such as (a+)+'),
    });
    // Before the check this ran for more than a minute in one regular expression.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('replay of a missing file fails with a readable message and a non-zero exit', async () => {
    await expect(cli('replay', join(tmp, 'nope.cap'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read') });
  });
});

describe('scanner commands against a fake transport (in process)', () => {
  function program(hid: FakeHid, untilStopped?: () => Promise<void>) {
    const out: string[] = [];
    const err: string[] = [];
    const p = new Command('pos-companion').exitOverride();
    registerScannerCommands(p, {
      transport: async () => hid,
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      platform: 'darwin',
      ...(untilStopped ? { untilStopped } : {}),
    });
    return { p, out, err };
  }

  it('devices --json says what each device is', async () => {
    const hid = new FakeHid();
    hid.devices = [
      { path: 'DevSrvsID:1', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: 0x8c, usage: 2, product: 'Voyager' },
      { path: 'DevSrvsID:2', vendorId: 0x05f9, productId: 0x4204, usagePage: 1, usage: 6, product: 'Datalogic QD2430' },
      { path: 'DevSrvsID:3', vendorId: 0x05ac, productId: 0x0250, usagePage: 1, usage: 6, product: 'Apple Keyboard' },
      { path: 'DevSrvsID:4', vendorId: 0x046d, productId: 0xc077, usagePage: 1, usage: 2, product: 'Mouse' },
    ];
    const { p, out } = program(hid);
    await p.parseAsync(['devices', '--json'], { from: 'user' });
    const list = JSON.parse(out.join('')) as Array<{ kind: string; likelyScanner: boolean; readable: boolean; vendorName?: string }>;
    expect(list.map((d) => [d.kind, d.likelyScanner, d.readable, d.vendorName])).toEqual([
      ['hidpos', true, true, 'Honeywell'],
      ['keyboard', true, false, 'Datalogic'],
      ['keyboard', false, false, undefined],
      ['other', false, true, undefined],
    ]);
  });

  it('listen prints scans and records a capture that replays to the same scans', async () => {
    const hid = new FakeHid();
    hid.devices = [{ path: 'p1', vendorId: 0x0c2e, productId: 0x0b8f, usagePage: 0x8c, usage: 2, product: 'Voyager' }];
    const record = join(tmp, 'recorded.cap');
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const { p, out, err } = program(hid, () => stopped);
    const done = p.parseAsync(['listen', '--record', record], { from: 'user' });
    await settle();
    const link = 'https://shop.example/a/long/path/for/a/referral?GbReferral=REF-778899&x=1234567890';
    for (const r of encodeHidPosScan(utf8(link), SPEC_LAYOUTS.honeywell!, { aim: ']Q1' })) hid.current!.send(r);
    stop();
    await done;
    expect(jsonLines(out.join(''))).toEqual([{ text: link, kind: 'referral', symbology: ']Q1', referrerCode: 'REF-778899' }]);
    expect(err.join('')).toContain('scanner: connected');
    const capture = parseCapture(readFileSync(record, 'utf8'));
    expect(capture.directives).toMatchObject({ mode: 'hidpos', layout: 'honeywell' });
    expect(replayCapture(capture).scans.map((s) => s.referrerCode)).toEqual(['REF-778899']);
  });

  it('scan-parse prints exactly the listed fields for each kind', async () => {
    const cases: Array<[string[], Record<string, string>]> = [
      [
        ['mobile_966500001234123456'],
        { text: 'mobile_966500001234123456', kind: 'customer', customerId: 'mobile_966500001234', hash: '123456' },
      ],
      [[']E04006381333931'], { text: '4006381333931', kind: 'product', symbology: ']E0' }],
      [['https://gb.page.link/AbCd'], { text: 'https://gb.page.link/AbCd', kind: 'unknown', reason: 'link-without-referral-code' }],
      [
        ['cust-4200123456234567', '--customer-prefix', 'cust-'],
        { text: 'cust-4200123456234567', kind: 'customer', customerId: 'cust-4200123456', hash: '234567' },
      ],
      // A bare customer id is the customer, whole: no hash is cut off its end.
      [['mobile_966500001234'], { text: 'mobile_966500001234', kind: 'customer', customerId: 'mobile_966500001234' }],
      [['cust-42001234567', '--customer-prefix', 'cust-'], { text: 'cust-42001234567', kind: 'customer', customerId: 'cust-42001234567' }],
      [['R-000123', '--receipt-pattern', 'R-\\d{6}'], { text: 'R-000123', kind: 'receipt' }],
      [
        ['R1043*125.50', '--receipt-pattern', 'R(?<receiptNo>\\d+)\\*(?<total>[0-9.]+)'],
        { text: 'R1043*125.50', kind: 'receipt', receiptNo: '1043', total: '125.50' },
      ],
      [[ZATCA_SAMPLE], { text: ZATCA_SAMPLE, kind: 'receipt', ...ZATCA_FIELDS }],
      [[ZATCA_SAMPLE.slice(0, 60)], { text: ZATCA_SAMPLE.slice(0, 60), kind: 'rejected', reason: 'receipt-tlv-overrun' }],
    ];
    for (const [args, expected] of cases) {
      const { p, out } = program(new FakeHid());
      await p.parseAsync(['scan-parse', ...args], { from: 'user' });
      const lines = jsonLines(out.join(''));
      expect(lines).toEqual([expected]);
      expect(Object.keys(lines[0] as object)).toEqual(Object.keys(expected));
    }
  });

  it('replay --mode hidpos forces the HID POS decoder (a keyboard capture then yields no scans, only unreadable lines)', async () => {
    const file = join(fixtures, 'keyboard-referral-code.cap');
    const forced = program(new FakeHid());
    await forced.p.parseAsync(['replay', file, '--mode', 'hidpos'], { from: 'user' });
    expect(forced.out.join('')).toBe('');
    expect(forced.err.join('')).toMatch(/keyboard-referral-code\.cap:\d+: HID POS report of 8 bytes is too short/);
    const auto = program(new FakeHid());
    await auto.p.parseAsync(['replay', file, '--mode', 'auto'], { from: 'user' });
    expect(jsonLines(auto.out.join(''))).toEqual([{ text: 'REF123456', kind: 'referral', referrerCode: 'REF123456' }]);
    const bad = program(new FakeHid());
    bad.p.configureOutput({ writeErr: () => undefined });
    for (const c of bad.p.commands) c.exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(bad.p.parseAsync(['replay', file, '--mode', 'serial'], { from: 'user' })).rejects.toThrow(/auto, keyboard, hidpos/);
  });

  it('listen --count stops by itself', async () => {
    const hid = new FakeHid();
    hid.devices = [{ path: 'p1', vendorId: 0x1eab, productId: 0x1a03, usagePage: 0x8c, usage: 2 }];
    const { p, out } = program(hid, () => new Promise(() => undefined));
    const done = p.parseAsync(['listen', '--count', '1'], { from: 'user' });
    await settle();
    for (const r of encodeHidPosScan(utf8('REF123456'), SPEC_LAYOUTS.generic!)) hid.current!.send(r);
    await done;
    expect(jsonLines(out.join(''))).toHaveLength(1);
    expect(hid.current).toBeUndefined();
  });
});
