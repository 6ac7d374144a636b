// One sync engine's line to Gameball: every request a row makes goes through `call`, under the
// client-side rate limiter (rate-limiter.ts: no 429s for a till alone on its account; tills that
// share an account share its budget from Gameball's 429s, shared-budget.ts) and the row's lease (renewed before a send
// when short, which also proves the row is still this engine's), with the keys taken out of the
// answer before anything of it is recorded. Each answer then:
//  - moves the online/offline model (connectivity.ts) and the status's last success or error;
//  - is evidence about the till's clock: its Date header against the till's clock around the
//    request measures the skew (stored for the status); a clock set back never stretches a wait
//    (the pauses keep their length; the outbox's due rules and the limiter hold by themselves);
//  - an order or refund dated ahead of Gameball's clock (captured while the till's clock was
//    ahead) is sent with a date Gameball accepts instead of being refused as future-dated (9007);
//    one on the very time of another of the customer's (9003) is sent a second earlier.
// A new engine first counts what other syncs sent in the last 30 s (the audit table), so a
// restart does not burst into Gameball's per-account rate limit.
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import { withoutKeys } from '../config/keys.ts';
import type { GameballClient, OrderTransactions } from '../gameball/client.ts';
import type { GameballResult } from '../gameball/outcome.ts';
import type { RateGroup } from '../gameball/rate-limits.ts';
import type { Logger } from '../log.ts';
import { CLOCK_ADVICE_THRESHOLD_MS } from '../../preload/clock-advice.ts';
import type { ClockCheckStore } from './clock-check-store.ts';
import { ClockWatch, sendableTime, SkewEstimator, skewSample } from './clock-skew.ts';
import { AT_START, nextConnectivity } from './connectivity.ts';
import type { Connectivity, ConnectivityEvent, ConnectivityPolicy } from './connectivity.ts';
import type { Sleep } from './engine-options.ts';
import type { ClaimedRow, OutboxRow, OutboxStore, SyncLogInput } from './outbox-store.ts';
import type { GameballRateLimiter } from './rate-limiter.ts';
import { rateGroupOf } from './rate-limiter.ts';
import { lastErrorOf } from './status.ts';
import type { LiveFacts } from './status.ts';

/** Gameball's "transaction time is not valid": a date in its future. */
const TIME_NOT_VALID = 9007;
/** Gameball's "transaction time already exists": the customer has another one at that very time. */
const TIME_TAKEN = 9003;
/** How many earlier seconds a body refused with 9003 tries before it waits for a person. */
const TIME_TAKEN_TRIES = 5;
/** How far back the limiter is seeded from other syncs' calls: Gameball's longest window. */
const RATE_WINDOW_MS = 30_000;
/** A stored skew is rewritten when the estimate moves by at least this. */
const SKEW_SAVE_STEP_MS = 1_000;

/** The rate group of the call an outbox row of each kind makes. */
const CALL_GROUP_OF_KIND: Record<OutboxRow['kind'], RateGroup> = {
  register_customer: rateGroupOf('POST', '/customers'),
  track_order: rateGroupOf('POST', '/orders'),
  refund: rateGroupOf('POST', '/transactions/refund'),
};

export type Call<T> = (client: GameballClient, signal: AbortSignal) => Promise<GameballResult<T>>;

export interface GameballLinkDeps {
  client: () => GameballClient | null;
  store: OutboxStore;
  training: boolean;
  clock: Clock;
  sleep: Sleep;
  logger: Logger | undefined;
  limiter: GameballRateLimiter;
  clockChecks: ClockCheckStore;
  policy: ConnectivityPolicy;
  /** The engine's live status facts (online, last success and error), updated from every answer. */
  live: LiveFacts;
  /** The engine's stop signal now (a new one per start). */
  stopSignal: () => AbortSignal;
  secretValues?: () => Iterable<string | null>;
  /** Back in reach after trouble: bring the waiting rows forward (never throws). */
  bringForward: (now: number) => void;
  /** The status changed. */
  changed: () => void;
}

export class GameballLink {
  private conn: Connectivity = AT_START;
  private lastContactAt = -Infinity;
  private readonly clockWatch = new ClockWatch();
  private readonly skew = new SkewEstimator();
  /** The skew this engine last stored (null: none yet, so the first measurement is always stored). */
  private savedSkew: number | null = null;
  private limiterSeeded = false;
  /** Resolves when the first sends may go (see seedLimiter). */
  private startGate: Promise<void> | undefined;

  constructor(private readonly deps: GameballLinkDeps) {}

  /** The online/offline model now (see connectivity.ts). */
  get connectivity(): Connectivity {
    return this.conn;
  }

  /** When the last request (or probe) went out, by the till's clock. */
  get lastContact(): number {
    return this.lastContactAt;
  }

  /** A person asked to sync now: pauses end. */
  syncNow(): void {
    this.move({ type: 'sync-now' });
  }

  private move(event: ConnectivityEvent): boolean {
    const step = nextConnectivity(this.conn, event, this.deps.policy);
    this.conn = step.state;
    this.deps.live.online = step.state.online;
    return step.bringForward;
  }

  private get signal(): AbortSignal {
    return this.deps.stopSignal();
  }

  /**
   * Makes one call under the rate limiter and the lease, records its audit row in `logs`, and
   * updates the engine's view of Gameball (online, pauses). 'abandoned': stopped before sending,
   * or the lease was lost.
   */
  async call<T>(
    row: ClaimedRow,
    logs: SyncLogInput[],
    fn: Call<T>,
    method: 'GET' | 'POST',
    path: string,
  ): Promise<GameballResult<T> | 'abandoned'> {
    const { clock, limiter, sleep } = this.deps;
    const client = this.deps.client();
    if (!client) return 'abandoned';
    const group = rateGroupOf(method, path.startsWith('/orders/') ? '/orders/x/transactions' : path);
    if (this.startGate) await this.startGate;
    for (;;) {
      if (this.signal.aborted) return 'abandoned';
      const wait = limiter.delay(group, clock.now());
      if (wait === 0) break;
      await sleep(wait, this.signal);
    }
    // The lease must outlast the request: renew when less than a timeout (plus slack) is left.
    // Renewing also proves the row is still ours before anything is sent.
    if (row.leaseUntil - clock.now() < client.config.timeoutMs + 5_000 && !this.deps.store.renew(row, clock.now())) return 'abandoned';
    // The slot is taken right before sending (not before the lease write above), so the time the
    // limiter counts is as close as possible to when Gameball sees the request.
    for (;;) {
      if (this.signal.aborted) return 'abandoned';
      const wait = limiter.take(group, clock.now());
      if (wait === 0) break;
      await sleep(wait, this.signal);
    }
    const sentAt = clock.now();
    const res = withoutKeys(await fn(client, this.signal), this.deps.secretValues?.());
    this.budgetAnswer(group, sentAt, res);
    this.noticeAnswer(res.serverTime, sentAt);
    logs.push({
      method: res.method,
      path: res.path,
      httpStatus: res.httpStatus,
      code: res.code,
      message: res.message,
      requestId: res.requestId,
      outcome: res.kind,
      durationMs: res.durationMs,
    });
    this.observe(row, res);
    return res;
  }

  /**
   * Posts a body dated by `field` with a date Gameball accepts: the captured one, unless it is ahead
   * of Gameball's clock as far as the till knows (its clock was ahead at capture, or has gone back
   * since), then Gameball's clock (see sendableTime). When Gameball still answers that the date is
   * in its future (9007: typically the first answer to a till whose clock was never measured), that
   * answer's Date is Gameball's clock: the body goes once more, dated no later than that. A 9007
   * records nothing, so sending again cannot count twice, and it stays one request at a time for
   * the customer (same job). The till keeps the captured date, and an order carries it to Gameball
   * in `extra.tillOrderDate`; the log says what was sent.
   */
  async postDated<T>(
    row: ClaimedRow,
    logs: SyncLogInput[],
    body: Record<string, unknown>,
    field: 'orderDate' | 'transactionTime',
    post: (client: GameballClient, body: object, signal: AbortSignal) => Promise<GameballResult<T>>,
    path: string,
  ): Promise<GameballResult<T> | 'abandoned'> {
    const { clock } = this.deps;
    const captured = body[field];
    if (typeof captured !== 'string') return this.call(row, logs, (c, s) => post(c, body, s), 'POST', path);
    let sent = this.redated(row, body, field, captured, sendableTime(captured, clock.now(), this.skew.estimate()), 'ahead');
    let res = await this.call(row, logs, (c, s) => post(c, sent, s), 'POST', path);
    if (res !== 'abandoned' && res.code === TIME_NOT_VALID && typeof res.serverTime === 'number') {
      const again = Math.min(Date.parse(sendableTime(captured, clock.now(), this.skew.estimate())), res.serverTime);
      if (!(again < Date.parse(String(sent[field])))) return res;
      const second = this.redated(row, body, field, captured, isoAt(again), 'ahead');
      sent = second;
      res = await this.call(row, logs, (c, s) => post(c, second, s), 'POST', path);
    }
    // Another of the customer's transactions has this very time (9003; a POS's times are whole
    // seconds): a second earlier, a few times at most. A refused body recorded nothing, and the
    // order's id is its own, so this never records anything twice (a copy would be 9004).
    for (let tries = 0; tries < TIME_TAKEN_TRIES && res !== 'abandoned' && res.code === TIME_TAKEN; tries++) {
      const earlier = this.redated(row, body, field, captured, isoAt(Date.parse(String(sent[field])) - 1_000), 'taken');
      sent = earlier;
      res = await this.call(row, logs, (c, s) => post(c, earlier, s), 'POST', path);
    }
    return res;
  }

  private redated(
    row: ClaimedRow,
    body: Record<string, unknown>,
    field: string,
    captured: string,
    sendable: string,
    why: 'ahead' | 'taken',
  ): Record<string, unknown> {
    if (sendable === captured) return body;
    this.deps.logger?.warn(
      { outboxId: row.id, entityId: row.entityId, captured, sentAs: sendable },
      why === 'ahead'
        ? "date ahead of Gameball's clock (the till's clock was ahead when it was captured): sent with Gameball's time instead"
        : "Gameball has another of this customer's transactions at that very time (9003): sent a second earlier",
    );
    return withDate(body, field, captured, sendable);
  }

  /**
   * A batch item's body with the date postDated would send (the batch logs one line for all):
   * the captured date unless it is ahead of Gameball's clock as far as the till knows, and no later
   * than `notAfter` (Gameball's clock read from an answer) when given. The body itself when the
   * date stands.
   */
  datedItem(body: Record<string, unknown>, field: 'orderDate', notAfter?: number): Record<string, unknown> {
    const captured = body[field];
    if (typeof captured !== 'string') return body;
    let sendable = sendableTime(captured, this.deps.clock.now(), this.skew.estimate());
    if (notAfter !== undefined && Date.parse(sendable) > notAfter) sendable = isoAt(notAfter);
    return sendable === captured ? body : withDate(body, field, captured, sendable);
  }

  /** What Gameball lists for an order (the look-up before any re-post). */
  transactionsOf(row: ClaimedRow, orderId: string, logs: SyncLogInput[]): Promise<GameballResult<OrderTransactions> | 'abandoned'> {
    return this.call(row, logs, (c, s) => c.orderTransactions(orderId, s), 'GET', `/orders/${encodeURIComponent(orderId)}/transactions`);
  }

  /** The idle reachability check (see SyncEngineOptions.probeEveryMs). Never throws. */
  async probe(): Promise<void> {
    const { clock, logger, live } = this.deps;
    const client = this.deps.client();
    if (!client) return;
    this.lastContactAt = clock.now();
    try {
      if (this.startGate || this.deps.limiter.take('transactions', clock.now()) > 0) return;
      const sentAt = clock.now();
      const res = withoutKeys(await client.orderTransactions('pos-companion-connection-probe', this.signal), this.deps.secretValues?.());
      this.budgetAnswer('transactions', sentAt, res);
      if (this.signal.aborted) return;
      this.noticeAnswer(res.serverTime, sentAt);
      const wasOnline = live.online;
      this.move({ type: 'probe', cause: res.cause });
      if (!live.online)
        live.lastError = lastErrorOf(
          isoAt(clock.now()),
          res.message,
          res.code ?? (res.httpStatus === null ? res.cause : `HTTP_${res.httpStatus}`),
          null,
        );
      if (wasOnline !== live.online) logger?.info({ online: live.online }, live.online ? 'Gameball reachable' : 'Gameball unreachable');
      this.deps.changed();
    } catch (err) {
      logger?.warn({ err: errorText(err) }, 'connection probe failed');
    }
  }

  /**
   * What the answer says about the account's budget, which this till shares with the others of its
   * account (shared-budget.ts): a 429 shrinks this till's share and waits out Retry-After, any other
   * answer of Gameball's counted against the limit and grows it back; no answer says nothing.
   */
  private budgetAnswer(group: RateGroup, sentAt: number, res: GameballResult): void {
    const now = this.deps.clock.now();
    if (res.httpStatus === null) this.deps.limiter.unanswered(group, sentAt, now);
    else if (res.cause === 'rate-limited') {
      this.deps.limiter.answered(group, sentAt, now, { rateLimited: true, retryAfterMs: res.retryAfterMs ?? null });
      this.deps.logger?.info(
        { group, share: Number(this.deps.limiter.share(group).toFixed(3)), retryAfterMs: res.retryAfterMs ?? null },
        "Gameball's rate limit for the account was reached (other tills share it): this till now sends less",
      );
    } else this.deps.limiter.answered(group, sentAt, now, { rateLimited: false });
  }

  /** Updates online/offline, pauses and the last success/error from one answer. */
  private observe(row: ClaimedRow, res: GameballResult): void {
    const { clock, live, logger } = this.deps;
    const now = clock.now();
    const at = isoAt(now);
    const wasOnline = live.online;
    this.lastContactAt = now;
    // Aborted by stop: a lost or timed-out answer says nothing about Gameball.
    if (this.signal.aborted && (res.cause === 'lost' || res.cause === 'timeout')) return;
    // Back online: whatever waited out the trouble goes now.
    if (this.move({ type: 'answer', cause: res.cause, now })) this.deps.bringForward(now);
    if (res.kind === 'ok') live.lastSuccessAt = at;
    else
      live.lastError = lastErrorOf(
        at,
        res.message,
        res.code ?? (res.httpStatus === null ? res.cause : `HTTP_${res.httpStatus}`),
        row.entityId,
      );
    if (wasOnline !== live.online) {
      logger?.info(
        { online: live.online, message: res.message },
        live.online ? 'Gameball reachable' : 'Gameball unreachable; retrying with backoff',
      );
    }
    this.deps.changed();
  }

  // ---- the till's clock ---------------------------------------------------------------------------

  /**
   * Notices the till's clock going back (see ClockWatch): the pauses held here keep their
   * remaining length, the measured skew moves with the clock (Gameball's did not move), and the
   * status is told. Outbox rows need nothing here: their due rules hold whatever the clock did
   * (outbox-store.ts), and the limiter counts a send "in the future" as sent now.
   */
  noticeClock(now: number): void {
    const back = this.clockWatch.observe(now);
    if (back === 0) return;
    this.move({ type: 'clock-back', backMs: back });
    this.lastContactAt -= back;
    this.skew.shift(-back);
    this.deps.logger?.warn({ backMs: back }, "the till's clock went back; waits keep their length");
    this.saveSkew(now);
    this.deps.changed();
  }

  /** One answer's evidence about the clock: its Date header against the till's clock around the request. */
  private noticeAnswer(serverTime: number | null | undefined, sentAt: number): void {
    const answeredAt = this.deps.clock.now();
    this.noticeClock(answeredAt);
    const sample = skewSample(serverTime, sentAt, answeredAt);
    if (!sample) return;
    this.skew.add(sample);
    this.saveSkew(answeredAt);
  }

  /** Stores the skew for the status (every process's) when it is new to this engine or moved. Never throws. */
  private saveSkew(now: number): void {
    const { logger } = this.deps;
    const skew = this.skew.estimate();
    if (skew === null || (this.savedSkew !== null && Math.abs(skew - this.savedSkew) < SKEW_SAVE_STEP_MS)) return;
    try {
      this.deps.clockChecks.save(this.deps.training, skew, now);
    } catch (err) {
      logger?.warn({ err: errorText(err) }, 'could not record the clock check');
      return;
    }
    const wasOff = this.savedSkew !== null && Math.abs(this.savedSkew) >= CLOCK_ADVICE_THRESHOLD_MS;
    const isOff = Math.abs(skew) >= CLOCK_ADVICE_THRESHOLD_MS;
    if (isOff)
      logger?.warn({ clockSkewMs: skew }, skew > 0 ? "the till's clock is ahead of Gameball's" : "the till's clock is behind Gameball's");
    else if (wasOff) logger?.info({ clockSkewMs: skew }, "the till's clock agrees with Gameball's again");
    this.savedSkew = skew;
    this.deps.changed();
  }

  /**
   * Counts what other syncs of this world sent in the last 30 s (see OutboxStore.recentCalls), once
   * per engine: Gameball's windows are per account, so a restarted sync must not start from zero.
   * Never throws (a limiter that starts empty is the old behaviour, not a failure).
   */
  seedLimiter(): void {
    if (this.limiterSeeded) return;
    this.limiterSeeded = true;
    const { clock, logger, limiter } = this.deps;
    const now = clock.now();
    let recent = 0;
    try {
      const { audited, inFlight } = this.deps.store.recentCalls(now, RATE_WINDOW_MS);
      recent = audited.length + inFlight.length;
      const times = new Map<RateGroup, number[]>();
      const add = (group: RateGroup, at: number) => {
        const list = times.get(group);
        if (list) list.push(at);
        else times.set(group, [at]);
      };
      for (const c of audited) add(rateGroupOf(c.method, c.path), c.at);
      // Not audited yet: they may have been sent just now.
      for (const r of inFlight) {
        add(CALL_GROUP_OF_KIND[r.kind], now);
        if (r.unknownOutcome) add('transactions', now);
      }
      for (const [group, at] of times) limiter.seed(group, at, now);
      if (recent > 0) {
        logger?.info(
          { audited: audited.length, inFlight: inFlight.length },
          'rate limiter counts the calls other syncs made in the last 30 s',
        );
      }
    } catch (err) {
      logger?.warn({ err: errorText(err) }, 'could not read the recent calls; the rate limiter starts empty');
    }
    // A till coming back online (nothing sent from this folder in the last 30 s; a restart that
    // follows another sync just carries on): the tills of a chain come back together, so each waits
    // a small random moment before its first send, the longer (up to a second) the more it owes, and
    // one that owes much starts with a small share of the account's budget (shared-budget.ts). A
    // real wait, not a time to compare the clock with: a clock that stands still or jumps cannot
    // stretch it.
    if (recent > 0) return;
    try {
      const wait = limiter.comingOnline(this.deps.store.activeCount());
      if (wait > 0) this.startGate = this.deps.sleep(wait, this.signal).finally(() => (this.startGate = undefined));
    } catch (err) {
      logger?.warn({ err: errorText(err) }, 'could not count the calls owed; the first send is not delayed');
    }
  }
}

/**
 * `body` dated `sendable` instead of `captured`. The till's own time goes along in `extra` (an
 * order's free fields), so Gameball's records still show when the sale happened by the till's clock.
 */
function withDate(body: Record<string, unknown>, field: string, captured: string, sendable: string): Record<string, unknown> {
  const extra = field === 'orderDate' && isRecord(body.extra) ? { extra: { ...body.extra, tillOrderDate: captured } } : {};
  return { ...body, [field]: sendable, ...extra };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
