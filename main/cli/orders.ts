// Admin CLI commands for orders: `order add`, `refund add`, `status`, `export`, `retry`.
// Amounts are typed as decimals here ("125.50"); the CLI converts them to the minor units the
// engine takes, with the order's currency. stdout carries only the result (an order id, an export,
// a status); everything else goes to stderr. A refusal exits with code 2 and writes nothing; other failures exit 1. A save the data
// folder cannot take exits 5 (disk full) or 4 (read-only, missing, no permission), with the line
// naming the folder.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { asDataFolderError, EXIT_DATA_FOLDER, EXIT_DISK_FULL } from '../data-folder.ts';
import { resolveDataDir } from '../db/paths.ts';
import { withEngine } from '../engine.ts';
import type { Engine } from '../engine.ts';
import { gameballSync } from '../sync/wiring.ts';
import { lockCouponForOrder } from './coupon.ts';
import { CaptureRefusedError } from '../orders/errors.ts';
import { formatMinor, MoneyError, toMinorUnits } from '../orders/money.ts';
import { orderCurrency } from '../orders/prepare.ts';
import { oneShotStatus, printQuickStatus, statusOutput } from './status.ts';

// The status's wording lives with the quick status (./status.ts); the other commands take it from here.
export { clockAdviceText, formatStatus, oneShotStatus } from './status.ts';
export type { CliStatus } from './status.ts';

export const EXIT_REFUSED = 2;

/** The `--data-dir` option every command takes. */
export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'data folder (default: $POS_COMPANION_DATA_DIR, else the app-data folder)');
}

/** Runs `fn` on a one-shot engine (no background sync) for the command's data folder. */
export async function runWithEngine<T>(dataDir: string | undefined, fn: (engine: Engine) => T | Promise<T>): Promise<T | undefined> {
  const dir = resolveDataDir({ flag: dataDir });
  try {
    return await withEngine({ dataDir: dir, startSync: false, sync: gameballSync() }, fn);
  } catch (err) {
    if (err instanceof CaptureRefusedError && err.folder !== undefined) {
      process.stderr.write(`pos-companion: ${err.message}\n`);
      process.exitCode = err.code === 'DISK_FULL' ? EXIT_DISK_FULL : EXIT_DATA_FOLDER;
      return undefined;
    }
    if (err instanceof CaptureRefusedError) {
      process.stderr.write(`pos-companion: refused (${err.code}): ${err.message}\n`);
      process.exitCode = EXIT_REFUSED;
      return undefined;
    }
    // Any other write the folder refused (a setting, a key): the same one line and exit code.
    throw asDataFolderError(err, dir, 'save') ?? err;
  }
}

function readJsonSource(json: string | undefined, jsonFile: string | undefined): unknown {
  const text = json ?? (jsonFile === '-' ? readFileSync(0, 'utf8') : readFileSync(jsonFile ?? '', 'utf8'));
  try {
    return JSON.parse(text);
  } catch {
    throw new CaptureRefusedError('INVALID_INPUT', 'The order JSON does not parse. Check the quotes and commas.');
  }
}

interface OrderAddFlags {
  dataDir?: string;
  json?: string;
  jsonFile?: string;
  mobile?: string;
  customerId?: string;
  name?: string;
  email?: string;
  total?: string;
  price?: string;
  discount?: string;
  tax?: string;
  shipping?: string;
  currency?: string;
  receipt?: string;
  referrer?: string;
  coupon?: string;
  redeemPoints?: string;
}

export function orderInputFromFlags(f: OrderAddFlags): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const map: [keyof OrderAddFlags, string][] = [
    ['mobile', 'mobile'],
    ['customerId', 'customerId'],
    ['name', 'name'],
    ['email', 'email'],
    ['total', 'totalPaid'],
    ['price', 'totalPrice'],
    ['discount', 'totalDiscount'],
    ['tax', 'totalTax'],
    ['shipping', 'totalShipping'],
    ['currency', 'currency'],
    ['receipt', 'receiptNo'],
    ['referrer', 'referrerCode'],
  ];
  for (const [flag, field] of map) if (f[flag] !== undefined) input[field] = f[flag];
  return input;
}

/** The decimal amounts an operator gives (flags, the documented JSON) and the engine's fields for them. */
const ORDER_AMOUNTS = [
  ['totalPaid', 'totalPaidMinor'],
  ['totalPrice', 'totalPriceMinor'],
  ['totalDiscount', 'totalDiscountMinor'],
  ['totalTax', 'totalTaxMinor'],
  ['totalShipping', 'totalShippingMinor'],
] as const;
const LINE_AMOUNTS = [
  ['price', 'priceMinor'],
  ['discount', 'discountMinor'],
  ['taxes', 'taxesMinor'],
] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** "125.50" in minor units of `currency`; a bad amount is refused naming `field`. */
export function amountToMinor(amount: string | number, currency: string, field: string): number {
  try {
    return toMinorUnits(amount, currency);
  } catch (err) {
    if (err instanceof MoneyError) throw new CaptureRefusedError('INVALID_AMOUNT', `${field}: ${err.message}`, field);
    throw err;
  }
}

/**
 * Each decimal amount of `target` (a string or number, not blank) moved to its minor-units field.
 * Given in both forms, it is refused: the operator meant one of them, and the CLI cannot tell which.
 */
function convertAmounts(
  target: Record<string, unknown>,
  pairs: readonly (readonly [string, string])[],
  currency: () => string,
  at: string,
): void {
  for (const [decimal, minor] of pairs) {
    const value = target[decimal];
    if ((typeof value !== 'string' && typeof value !== 'number') || (typeof value === 'string' && value.trim() === '')) continue;
    const field = `${at}${decimal}`;
    if (target[minor] !== undefined)
      throw new CaptureRefusedError('INVALID_INPUT', `${field}: give each amount once, either as a decimal or in minor units.`, field);
    target[minor] = amountToMinor(value, currency(), field);
    delete target[decimal];
  }
}

/**
 * The order as the operator gave it, with its decimal amounts ("125.50") in minor units of the
 * order's currency (the till's when the order names none), as the engine takes them. The amounts
 * already in minor units, and everything else, go to the engine as they are, for it to judge.
 */
export function withMinorUnits(input: unknown, tillCurrency: string): unknown {
  if (!isRecord(input)) return input;
  const out = { ...input };
  const given = out.currency;
  if (given !== undefined && typeof given !== 'string')
    throw new CaptureRefusedError('INVALID_INPUT', 'currency: a currency is a code such as "SAR".', 'currency');
  let currency: string | undefined;
  const currencyOf = () =>
    (currency ??= orderCurrency(given === undefined || given.trim() === '' ? undefined : given.trim(), tillCurrency));
  convertAmounts(out, ORDER_AMOUNTS, currencyOf, '');
  if (Array.isArray(out.lineItems)) {
    out.lineItems = out.lineItems.map((item: unknown, i) => {
      if (!isRecord(item)) return item;
      const line = { ...item };
      convertAmounts(line, LINE_AMOUNTS, currencyOf, `lineItems.${i}.`);
      return line;
    });
  }
  return out;
}

/**
 * `order add --redeem-points N`: holds N points online (refused offline, exit 2, nothing saved),
 * then saves the order carrying the hold; a save that is refused gives the hold back.
 */
async function captureRedeeming(engine: Engine, order: unknown, pointsText: string): Promise<{ orderId: string }> {
  const points = Number(pointsText);
  if (!/^\d+$/.test(pointsText.trim()) || !Number.isSafeInteger(points) || points < 1)
    throw new CaptureRefusedError('INVALID_INPUT', '--redeem-points: give a whole number of points (1 or more).', 'redeemPoints');
  const o = isRecord(order) ? order : {};
  const customer = {
    ...(typeof o.mobile === 'string' ? { mobile: o.mobile } : {}),
    ...(typeof o.customerId === 'string' ? { customerId: o.customerId } : {}),
  };
  if (customer.mobile === undefined && customer.customerId === undefined)
    throw new CaptureRefusedError('INVALID_INPUT', '--redeem-points needs the customer: give --mobile or --customer-id.', 'mobile');
  const hold = await engine.points.hold({ customer, points });
  try {
    const captured = engine.captureOrder({ ...o, pointsHoldReference: hold.holdReference });
    process.stderr.write(
      `pos-companion: ${hold.points} points held (${hold.holdReference}): apply a discount of ${formatMinor(hold.amountMinor, hold.currency)} ${hold.currency} on the POS.\n`,
    );
    return captured;
  } catch (err) {
    await engine.points.release(hold.holdReference).catch(() => undefined);
    throw err;
  }
}

/** A refund's decimal amount in minor units of the original order's currency. */
function refundAmountMinor(engine: Engine, orderId: string, amount: string): number {
  const id = orderId.trim();
  const order = engine.getOrder(id);
  if (!order)
    throw new CaptureRefusedError(
      'ORDER_NOT_FOUND',
      `There is no order ${id} on this till. Check the order id (see \`export\` or the queue).`,
      'orderId',
    );
  return amountToMinor(amount, order.currency, 'amount');
}

function trainingNote(engine: Engine): void {
  if (engine.training) {
    process.stderr.write('pos-companion: training mode (no Gameball keys configured): this goes to the built-in simulator only.\n');
  }
}

/** Locks the coupon, then captures the order carrying it; a capture that fails releases the lock again. */
async function captureWithCoupon(engine: Engine, code: string, input: unknown): Promise<ReturnType<Engine['captureOrder']>> {
  const order = isRecord(input) ? input : {};
  const lock = await lockCouponForOrder(engine, code, order);
  try {
    return engine.captureOrder({ ...order, coupon: { code: lock.code, lockReference: lock.lockReference } });
  } catch (err) {
    await engine.loyalty.unlockCoupon({ lockReference: lock.lockReference });
    throw err;
  }
}

export function registerOrderCommands(program: Command): void {
  const order = program.command('order').description('Capture orders');
  order
    .command('add')
    .description('Capture an order; prints only its id, once it is safely on disk')
    .addOption(dataDirOption())
    .option('--mobile <number>', "customer's mobile (local or international form)")
    .option('--customer-id <id>', 'Gameball customer id (instead of, or besides, the mobile)')
    .option('--name <name>', "customer's name")
    .option('--email <email>', "customer's email")
    .option('--total <amount>', 'amount paid, e.g. 125.50 (rewards are based on it)')
    .option('--price <amount>', 'amount before discounts')
    .option('--discount <amount>', 'total discount')
    .option('--tax <amount>', 'total tax')
    .option('--shipping <amount>', 'total shipping')
    .option('--currency <code>', 'ISO currency code (default: the till setting)')
    .option('--receipt <number>', 'POS receipt number')
    .option('--referrer <code-or-link>', "referral code, referral link or the referrer's customer id (new customers only)")
    .option(
      '--coupon <code>',
      'a Gameball coupon for this sale: locked online now (needs the network), burned when the order reaches Gameball',
    )
    .option('--redeem-points <n>', "spend N of the customer's points on this sale (holds them online first; fails offline)")
    .option('--json <json>', 'the whole order as JSON instead of flags')
    .option('--json-file <file>', 'read the order JSON from a file, or - for stdin')
    .action(async (flags: OrderAddFlags) => {
      await runWithEngine(flags.dataDir, async (engine) => {
        const { coupon, redeemPoints, ...rest } = flags;
        const fromFlags = orderInputFromFlags(rest);
        const hasJson = flags.json !== undefined || flags.jsonFile !== undefined;
        if (hasJson && Object.keys(fromFlags).length > 0) {
          throw new CaptureRefusedError('INVALID_INPUT', 'Give the order either as flags or as --json/--json-file, not both.');
        }
        if (coupon !== undefined && redeemPoints !== undefined) {
          throw new CaptureRefusedError(
            'INVALID_INPUT',
            'Give --coupon or --redeem-points for one sale, not both: the screen can combine them.',
          );
        }
        const input = withMinorUnits(hasJson ? readJsonSource(flags.json, flags.jsonFile) : fromFlags, engine.getSettings().currency);
        const captured =
          coupon !== undefined
            ? await captureWithCoupon(engine, coupon, input)
            : redeemPoints !== undefined
              ? await captureRedeeming(engine, input, redeemPoints)
              : engine.captureOrder(input);
        process.stdout.write(`${captured.orderId}\n`);
        trainingNote(engine);
      });
    });

  const refund = program.command('refund').description('Capture refunds');
  refund
    .command('add')
    .description('Queue a refund of an order (the whole remaining amount unless --amount); prints the refund id')
    .addOption(dataDirOption())
    .requiredOption('--order <orderId>', 'the original order id')
    .option('--amount <amount>', 'amount to refund, e.g. 20.00 (default: everything still refundable)')
    .action(async (flags: { dataDir?: string; order: string; amount?: string }) => {
      await runWithEngine(flags.dataDir, (engine) => {
        const r = engine.captureRefund({
          orderId: flags.order,
          ...(flags.amount !== undefined ? { amountMinor: refundAmountMinor(engine, flags.order, flags.amount) } : {}),
        });
        process.stdout.write(`${r.refundId}\n`);
      });
    });

  program
    .command('status')
    .description('Orders and refunds per state, the oldest one waiting, last success and last error')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output')
    .action(async (flags: { dataDir?: string; json?: boolean }) => {
      // The folder chosen once (choosing may move a per-user queue to the machine folder).
      const dataDir = resolveDataDir({ flag: flags.dataDir });
      // A till in its usual state: read without starting the engine (same figures, see ./status.ts).
      if (printQuickStatus(dataDir, flags.json === true)) return;
      await runWithEngine(dataDir, (engine) => {
        process.stdout.write(
          statusOutput(oneShotStatus(engine.status()), engine.getSettings().tillId, engine.dataDir, flags.json === true),
        );
      });
    });

  program
    .command('export')
    .description('Write orders to stdout as CSV or JSON')
    .addOption(dataDirOption())
    .addOption(new Option('--state <state>', 'which orders').choices(['pending', 'attention', 'synced', 'all']).default('all'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .action(async (flags: { dataDir?: string; state: 'pending' | 'attention' | 'synced' | 'all'; format: 'csv' | 'json' }) => {
      await runWithEngine(flags.dataDir, (engine) => {
        process.stdout.write(engine.exportOrders({ state: flags.state, format: flags.format }));
      });
    });

  program
    .command('retry')
    .description('Send needs-attention orders again (one order or refund id, or --all)')
    .addOption(dataDirOption())
    .argument('[orderId]', 'order or refund id')
    .option('--all', 'every order and refund in needs-attention')
    .action(async (orderId: string | undefined, flags: { dataDir?: string; all?: boolean }) => {
      if ((orderId === undefined) === (flags.all !== true)) {
        process.stderr.write('pos-companion: give an order id or --all (not both).\n');
        process.exitCode = 1;
        return;
      }
      await runWithEngine(flags.dataDir, (engine) => {
        const n = engine.retry(orderId !== undefined ? { orderId } : { all: true });
        if (orderId !== undefined && n === 0) {
          process.stderr.write(`pos-companion: ${orderId} is not in needs-attention; nothing to retry.\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${n}\n`);
        process.stderr.write(`pos-companion: ${n} queued again; they are sent on the next sync.\n`);
      });
    });
}
