// Whether the data folder takes the sync's writes. A folder that cannot be written (disk full,
// read-only, gone) pauses claiming, and is reported once (log, status lastError, `problem`);
// while it lasts, the folder is looked at again (one small probe write) every `retryMs`, not on
// every turn of the loop. The first write that goes through again ends it.
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import { DATA_FOLDER_CODES, dataFolderMessage, probeDataFolder, problemOf } from '../data-folder.ts';
import type { DataFolderProblem } from '../data-folder.ts';
import type { Logger } from '../log.ts';
import { lastErrorOf } from './status.ts';
import type { LiveFacts } from './status.ts';

/** The data folder cannot take writes: what is wrong, the sentence for people, since when. */
export interface StorageProblem {
  problem: DataFolderProblem;
  code: string;
  folder: string;
  message: string;
  since: number;
}

export interface StorageWatchDeps {
  folder: string;
  retryMs: number;
  clock: Clock;
  logger: Logger | undefined;
  /** The engine's live status facts: the problem is its last error while it lasts. */
  live: LiveFacts;
  /** The status changed. */
  changed: () => void;
}

export class StorageWatch {
  private current: StorageProblem | null = null;
  /** While a problem lasts: claim nothing before this time. */
  private retryAt = 0;

  constructor(private readonly deps: StorageWatchDeps) {}

  /** The problem now; null when the folder takes writes. */
  get problem(): StorageProblem | null {
    return this.current;
  }

  /** Look again at once (a person asked to sync now). */
  lookAgainNow(): void {
    this.retryAt = 0;
  }

  /** True when claims may go ahead (see the header). */
  writable(now: number): boolean {
    if (!this.current) return true;
    if (now < this.retryAt) return false;
    this.retryAt = now + this.deps.retryMs;
    const problem = probeDataFolder(this.deps.folder);
    if (problem !== null) return false;
    this.recovered();
    return true;
  }

  /**
   * When `err` is the data folder refusing a write: records the problem (told once, in the log and
   * as the status's last error), pauses claims, and answers true. Else false: not a folder problem.
   */
  trouble(err: unknown): boolean {
    const { folder, clock, logger, live } = this.deps;
    const problem = problemOf(err, folder);
    if (problem === null) return false;
    const now = clock.now();
    this.retryAt = now + this.deps.retryMs;
    if (this.current?.problem === problem) return true;
    const message = dataFolderMessage(problem, folder, 'sync');
    this.current = { problem, code: DATA_FOLDER_CODES[problem], folder, message, since: now };
    live.lastError = lastErrorOf(isoAt(now), message, this.current.code, null);
    logger?.error({ code: this.current.code, folder, err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, message);
    this.deps.changed();
    return true;
  }

  /** A write went through: the problem, if any, is over. */
  recovered(): void {
    const was = this.current;
    if (!was) return;
    this.current = null;
    this.retryAt = 0;
    if (this.deps.live.lastError?.code === was.code) this.deps.live.lastError = null;
    this.deps.logger?.info(
      { folder: was.folder, code: was.code, forMs: this.deps.clock.now() - was.since },
      'the data folder takes writes again: sync resumes',
    );
    this.deps.changed();
  }
}
