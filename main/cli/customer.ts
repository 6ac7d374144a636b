// Admin CLI for the loyalty moment at the till: `customer show` (what the checkout's customer panel
// shows: name, points, tier, referral code and referred friends) and the coupon lock behind
// `order add --coupon`. Both need Gameball: `customer show` falls back to the answer this till
// kept (saying how old it is); a coupon is never taken offline.
import type { Command } from 'commander';
import type { LoyaltyCustomer, LoyaltyProfile } from '../../preload/api.ts';
import { CaptureRefusedError } from '../orders/errors.ts';
import { formatMinor } from '../orders/money.ts';
import { OFF_REASON } from './coupon.ts';
import { dataDirOption, runWithEngine } from './orders.ts';

function age(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'less than a minute';
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} days`;
}

function profileLines(p: LoyaltyProfile): string[] {
  const value =
    p.availableValueMinor !== null && p.currency !== null ? ` (${formatMinor(p.availableValueMinor, p.currency)} ${p.currency})` : '';
  const tier =
    p.tier === null
      ? 'none'
      : `${p.tier.name}${p.nextTier && p.tierProgress !== null && p.nextTier.minProgress !== null ? ` (${p.tierProgress} of ${p.nextTier.minProgress} for ${p.nextTier.name})` : ''}`;
  return [
    `Name:      ${p.name ?? '-'}`,
    `Points:    ${p.availablePoints} available${value}, ${p.pendingPoints} pending`,
    `Tier:      ${tier}`,
    `Referral:  ${p.referralCode ?? '-'}${p.referralLink ? ` (${p.referralLink})` : ''}`,
    `Referred:  ${p.referredCount ?? '-'} friend(s)`,
  ];
}

/** The panel as text; null when there is nothing to show (then `why` says so). */
export function formatCustomer(c: LoyaltyCustomer): { text: string | null; why?: string } {
  if (c.status === 'unavailable')
    return { text: null, why: `Nothing to show for ${c.customerId}: ${OFF_REASON[c.reason]}, and this till kept no earlier answer.` };
  if (c.status === 'new') return { text: `Customer ${c.customerId} is new to Gameball: their first order registers them.\n` };
  const head =
    c.status === 'cached'
      ? `Customer ${c.customerId} — as Gameball answered ${age(c.ageMs)} ago (${c.fetchedAt}); now ${OFF_REASON[c.reason]}.`
      : `Customer ${c.customerId}`;
  if (c.profile === null) return { text: `${head}\nNew to Gameball then: their first order registers them.\n` };
  return { text: `${[head, ...profileLines(c.profile)].join('\n')}\n` };
}

/** `--json`: the fields a script reads first (availablePoints, tier, referralCode), then the rest. */
export function customerJson(c: LoyaltyCustomer): Record<string, unknown> {
  const profile = c.status === 'live' || c.status === 'cached' ? c.profile : null;
  return {
    customerId: c.customerId,
    status: c.status,
    availablePoints: profile?.availablePoints ?? (c.status === 'new' ? 0 : null),
    tier: profile?.tier?.name ?? null,
    referralCode: profile?.referralCode ?? null,
    name: profile?.name ?? null,
    pendingPoints: profile?.pendingPoints ?? null,
    availableValueMinor: profile?.availableValueMinor ?? null,
    currency: profile?.currency ?? null,
    tierProgress: profile?.tierProgress ?? null,
    nextTier: profile?.nextTier?.name ?? null,
    referredCount: profile?.referredCount ?? null,
    ...(c.status === 'unavailable' ? { reason: c.reason } : { fetchedAt: c.fetchedAt }),
    ...(c.status === 'cached' ? { ageMs: c.ageMs, reason: c.reason } : {}),
  };
}

export function registerCustomerCommands(program: Command): void {
  const customer = program.command('customer').description("A customer's loyalty: points, tier, referral code");
  customer
    .command('show')
    .description("What Gameball says about a customer (the checkout's customer panel); offline, the answer this till kept, with its age")
    .addOption(dataDirOption())
    .option('--mobile <number>', "customer's mobile (local or international form)")
    .option('--customer-id <id>', 'Gameball customer id')
    .option('--json', 'machine-readable output')
    .action(async (flags: { dataDir?: string; mobile?: string; customerId?: string; json?: boolean }) => {
      await runWithEngine(flags.dataDir, async (engine) => {
        if ((flags.mobile === undefined) === (flags.customerId === undefined))
          throw new CaptureRefusedError('INVALID_INPUT', 'Give the customer with exactly one of --mobile or --customer-id.', 'mobile');
        const c = await engine.loyalty.customer({
          customer: flags.mobile !== undefined ? { mobile: flags.mobile } : { customerId: flags.customerId as string },
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(customerJson(c))}\n`);
          if (c.status === 'unavailable') process.exitCode = 1;
          return;
        }
        const out = formatCustomer(c);
        if (out.text === null) {
          process.stderr.write(`pos-companion: ${out.why ?? ''}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(out.text);
      });
    });
}
