// Scanner commands of the admin CLI: `devices`, `listen`, `replay`, `scan-parse`.
// Output for machines goes to stdout (one JSON object per line), for people to stderr.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { systemClock } from '../clock.ts';
import { classifyScan, ClassifyOptionsSchema, DEFAULT_CLASSIFY_OPTIONS } from '../../preload/scan-classify.ts';
import type { ClassifyOptions } from '../../preload/scan-classify.ts';
import { formatCaptureLine, parseCapture } from '../scanner/capture.ts';
import { describeDevice } from '../scanner/devices.ts';
import type { ScannerDeviceInfo } from '../scanner/devices.ts';
import { HIDPOS_LAYOUTS, layoutByName } from '../scanner/hidpos-layouts.ts';
import { replayCapture } from '../scanner/replay.ts';
import type { ReplayMode } from '../scanner/replay.ts';
import { toScanLine } from '../scanner/scan-result.ts';
import { createScannerService } from '../scanner/service.ts';
import type { HidTransport } from '../scanner/transport.ts';
import { untilStopSignal } from './until-signal.ts';

export interface ScannerCommandDeps {
  /** The HID transport; default: node-hid, loaded only by the commands that touch devices. */
  transport?: () => Promise<HidTransport>;
  out?: (s: string) => void;
  err?: (s: string) => void;
  platform?: string;
  /** Resolves when `listen` should stop; default: Ctrl+C / SIGTERM. */
  untilStopped?: () => Promise<void>;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** A refused input (a receipt pattern that could freeze the till, a bad prefix): exit code 2. */
const EXIT_REFUSED = 2;

/**
 * The classifier options from the flags, or null after saying on stderr why they are refused
 * (exit code 2): a receipt pattern is checked the way the till's settings check it, so a pattern
 * that could backtrack for minutes is never run here either.
 */
function classifyOptionsFrom(
  o: { referralParam?: string[]; customerPrefix?: string[]; receiptPattern?: string },
  err: (s: string) => void,
): ClassifyOptions | null {
  const opts: ClassifyOptions = {
    customerIdPrefixes: o.customerPrefix ?? DEFAULT_CLASSIFY_OPTIONS.customerIdPrefixes,
    referralParams: [...DEFAULT_CLASSIFY_OPTIONS.referralParams, ...(o.referralParam ?? [])],
    receiptPattern: o.receiptPattern ?? null,
  };
  const parsed = ClassifyOptionsSchema.safeParse(opts);
  if (parsed.success) return parsed.data;
  err(`pos-companion: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
  process.exitCode = EXIT_REFUSED;
  return null;
}

function withClassifyOptions(cmd: Command): Command {
  return cmd
    .option('--referral-param <name>', 'another query parameter that carries a referral code (repeatable)', collect)
    .option('--customer-prefix <prefix>', 'customer id prefix of Gameball QR codes (repeatable; default mobile_)', collect)
    .option(
      '--receipt-pattern <regex>',
      'regular expression a receipt barcode matches in full; named groups receiptNo and total are read from it',
    );
}

function parseLayout(name: string): string {
  if (!layoutByName(name)) throw new InvalidArgumentError(`unknown layout; one of: ${Object.keys(HIDPOS_LAYOUTS).join(', ')}`);
  return name;
}

async function defaultTransport(): Promise<HidTransport> {
  const { createNodeHidTransport } = await import('../scanner/node-hid-transport.ts');
  return createNodeHidTransport();
}

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

export function registerScannerCommands(program: Command, deps: ScannerCommandDeps = {}): void {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const err = deps.err ?? ((s: string) => void process.stderr.write(s));
  const platform = deps.platform ?? process.platform;
  const getTransport = deps.transport ?? defaultTransport;

  program
    .command('devices')
    .description('List HID devices and what each is: a HID POS scanner, a keyboard (or keyboard-mode scanner), or other')
    .option('--json', 'print a JSON array')
    .action(async (o: { json?: boolean }) => {
      const transport = await getTransport();
      const devices = (await transport.list()).map((d) => describeDevice(d, platform));
      if (o.json) {
        out(`${JSON.stringify(devices, null, 2)}\n`);
        return;
      }
      if (devices.length === 0) {
        err('No HID devices found.\n');
        return;
      }
      for (const d of sortForPeople(devices)) {
        const what =
          d.kind === 'hidpos'
            ? 'HID POS scanner'
            : d.kind === 'keyboard'
              ? d.likelyScanner
                ? 'keyboard-mode scanner'
                : 'keyboard'
              : 'other';
        const name = [d.manufacturer, d.product].filter(Boolean).join(' ') || '(unnamed)';
        out(
          `${what.padEnd(22)} ${hex4(d.vendorId)}:${hex4(d.productId)}  ${name}\n${''.padEnd(23)}id ${d.id}${d.readable ? '' : '  (the system keeps it; read it through the app window)'}\n`,
        );
      }
    });

  withClassifyOptions(
    program
      .command('listen')
      .description('Open the scanner and print each scan as a JSON line (Ctrl+C to stop)')
      .option('--device <selector>', 'device id, OS path or vid:pid (hex); default: the first HID POS scanner')
      .option('--record <file>', 'also write every raw report to a capture file for support')
      .addOption(new Option('--layout <name>', 'HID POS report layout').argParser(parseLayout))
      .option('--count <n>', 'stop after this many scans', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of scans, at least 1');
        return n;
      }),
  ).action(
    async (o: {
      device?: string;
      record?: string;
      layout?: string;
      count?: number;
      referralParam?: string[];
      customerPrefix?: string[];
      receiptPattern?: string;
    }) => {
      const classify = classifyOptionsFrom(o, err);
      if (!classify) return;
      const transport = await getTransport();
      const clock = systemClock;
      const startedAt = clock.now();
      if (o.record) writeFileSync(o.record, `# POS Companion scanner capture, recorded ${new Date(startedAt).toISOString()}\n`);
      const service = createScannerService({
        transport,
        clock,
        config: { mode: 'auto', device: o.device ?? null, layout: o.layout ?? null, classify, platform },
      });
      let seen = 0;
      let stopNow: (() => void) | undefined;
      const counted = new Promise<void>((resolve) => {
        stopNow = resolve;
      });
      service.on('state', (s) => {
        err(`scanner: ${s.state}${s.device ? ` ${s.device.product ?? s.device.id}` : ''}${s.reason ? ` (${s.reason})` : ''}\n`);
        if (o.record && s.state === 'connected' && s.device) {
          const lines = [`# device: ${s.device.id}`, `# mode: ${s.device.kind === 'keyboard' ? 'keyboard' : 'hidpos'}`];
          if (s.device.layout) lines.push(`# layout: ${s.device.layout}`);
          appendFileSync(o.record, `${lines.join('\n')}\n`);
        }
      });
      service.on('report', (r) => {
        if (o.record) appendFileSync(o.record, `${formatCaptureLine(Buffer.from(r.hex, 'hex'), r.at - startedAt)}\n`);
      });
      service.on('scan', (e) => {
        out(`${JSON.stringify(toScanLine(e.classification))}\n`);
        seen += 1;
        if (o.count !== undefined && seen >= o.count) stopNow?.();
      });
      service.start();
      await Promise.race([counted, (deps.untilStopped ?? untilStopSignal)()]);
      await service.stop();
    },
  );

  withClassifyOptions(
    program
      .command('replay')
      .description('Decode a capture file (one report per line in hex) and print one JSON object per scan')
      .argument('<file>', 'capture file')
      .addOption(new Option('--mode <mode>', 'report format').choices(['auto', 'keyboard', 'hidpos']).default('auto'))
      .addOption(new Option('--layout <name>', 'HID POS report layout (default: from the file, or guessed)').argParser(parseLayout)),
  ).action(
    (
      file: string,
      o: { mode: ReplayMode; layout?: string; referralParam?: string[]; customerPrefix?: string[]; receiptPattern?: string },
    ) => {
      const classify = classifyOptionsFrom(o, err);
      if (!classify) return;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const capture = parseCapture(text);
      for (const e of capture.errors) err(`${file}:${e.line}: ${e.message}\n`);
      const result = replayCapture(capture, { mode: o.mode, classify, ...(o.layout ? { layout: o.layout } : {}) });
      for (const m of result.malformed) err(`${file}:${m.line}: ${m.detail}\n`);
      for (const c of result.scans) out(`${JSON.stringify(toScanLine(c))}\n`);
    },
  );

  withClassifyOptions(
    program
      .command('scan-parse')
      .description(
        'Classify a scanned text as customer, referral, product, receipt (a ZATCA e-invoice QR or the receipt pattern), unknown or rejected',
      )
      .argument('<text>', 'the scanned text (quote it)'),
  ).action((text: string, o: { referralParam?: string[]; customerPrefix?: string[]; receiptPattern?: string }) => {
    const classify = classifyOptionsFrom(o, err);
    if (classify) out(`${JSON.stringify(toScanLine(classifyScan(text, classify)))}\n`);
  });
}

function sortForPeople(devices: ScannerDeviceInfo[]): ScannerDeviceInfo[] {
  const rank = (d: ScannerDeviceInfo): number => (d.kind === 'hidpos' ? 0 : d.likelyScanner ? 1 : d.kind === 'keyboard' ? 2 : 3);
  return [...devices].sort((a, b) => rank(a) - rank(b));
}
