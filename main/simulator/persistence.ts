// The optional state file: the ledger as JSON, so training mode keeps its history across
// restarts. Writes are debounced and atomic (temp file, fsync, rename): a crash leaves either
// the old file or the new one, never half of one.
import { promises as fs, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StateSnapshot } from './state.ts';

export interface LoadResult {
  snapshot?: StateSnapshot;
  /** Set when the file existed but could not be read; it was moved aside to this path. */
  movedAside?: string;
}

/** Reads the state file; a missing file is an empty start, an unreadable one is moved aside. */
export function loadStateFile(file: string, now: number): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StateSnapshot>;
    if (parsed.version !== 1 || !Array.isArray(parsed.customers) || !Array.isArray(parsed.orders)) {
      throw new Error('not a simulator state file');
    }
    return {
      snapshot: {
        version: 1,
        nextGameballId: Number(parsed.nextGameballId),
        nextTransactionId: Number(parsed.nextTransactionId),
        nextJobId: Number(parsed.nextJobId),
        customers: parsed.customers,
        referrals: parsed.referrals ?? [],
        orders: parsed.orders,
        refunds: parsed.refunds ?? [],
        transactions: parsed.transactions ?? [],
        batches: parsed.batches ?? [],
        ...(parsed.coupons ? { coupons: parsed.coupons } : {}),
        ...(parsed.couponLocks ? { couponLocks: parsed.couponLocks } : {}),
        ...(parsed.couponBurnIds ? { couponBurnIds: parsed.couponBurnIds } : {}),
        ...(parsed.nextCouponLock !== undefined ? { nextCouponLock: Number(parsed.nextCouponLock) } : {}),
      },
    };
  } catch {
    const aside = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    return { movedAside: aside };
  }
}

export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StateSnapshot,
    private readonly onError: (err: unknown) => void,
    private readonly debounceMs = 100,
  ) {}

  /** Marks the state changed; it reaches the disk within `debounceMs`. */
  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now if anything changed; resolves when the file is on disk. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const text = JSON.stringify(this.snapshot());
    // A failed write must not poison later ones: each write starts after the previous settles.
    const next = this.writing.catch(() => undefined).then(() => writeAtomic(this.file, text));
    this.writing = next;
    return next;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}
