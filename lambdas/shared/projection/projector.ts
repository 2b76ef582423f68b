import { logger } from '../powertools';
import type { Sql } from '../sql/port';
import type { AggregateStore, BucketKey, Scope } from './aggregates';
import {
  type Booking,
  bookPendingChanges,
  bucketsOf,
  forgetOutbox,
  movedOn,
  type OutboxEntry,
  type QueuedEntry,
  readOutbox,
} from './bookkeeping';

export type { OutboxEntry } from './bookkeeping';

/** Buckets per round: keeps each Data API request and response well under its limits (4 MiB in, 1 MiB out). */
const COPY_CHUNK = 500;
const PUTS_IN_FLIGHT = 16;
const DRAIN_ORDER: readonly Scope[] = ['all', 'brand', 'model'];
/**
 * Most buckets a write projects itself before answering; more (a bulk import) are left to the drain its commit
 * kicks, so the 201 does not wait for them.
 */
const INLINE_PROJECTION_LIMIT = 3000;

export interface ProjectorOptions {
  /**
   * Starts a drain now without waiting for it to finish: in AWS an asynchronous invoke of the projector
   * function, locally the stack's drain. The schedule stays the safety net for a kick that is lost.
   */
  kick?: () => Promise<void>;
}

/**
 * Projects buckets from SQL to the aggregate store by copying them: SQL keeps every bucket's figures next to
 * its version (lambdas/shared/projection/bookkeeping.ts), so a projection reads a few rows per bucket, never the
 * sales. Safe to run twice, concurrently or out of order, and to crash anywhere:
 * - values are whole-bucket figures with the version they were read at, never increments;
 * - the bulk write carries no version condition, so right after it the versions are read again: a bucket that
 *   moved on meanwhile (another projection may have written the newer version first and been overwritten) is
 *   copied again with a conditional put, which never replaces a newer version;
 * - outbox rows are forgotten only after all that, so a crash just projects them again.
 */
export class Projector {
  constructor(
    private readonly sql: Sql,
    private readonly store: AggregateStore,
    private readonly options: ProjectorOptions = {},
  ) {}

  /**
   * After a write commits: projects its own buckets at once, so a read right after the write sees it (unless
   * there are too many: a bulk import), then kicks a drain for whatever is left and to move `asOf` on. Never
   * throws: the write is committed, and the outbox keeps what could not be projected.
   */
  async afterCommit({ entries, queued }: Booking): Promise<void> {
    if (queued > INLINE_PROJECTION_LIMIT || entries.length < queued) {
      logger.info('Projection left to the drain', { buckets: queued });
    } else {
      await this.project(entries).catch((error: unknown) =>
        logger.warn('Projection deferred to the drain', { error: error as Error, buckets: queued }),
      );
    }
    await this.options
      .kick?.()
      .catch((error: unknown) =>
        logger.warn('Could not kick the projector; the schedule will drain', { error: error as Error }),
      );
  }

  /** Projects the given outbox entries (e.g. those a request just committed) and removes them from the outbox. */
  async project(entries: readonly OutboxEntry[]): Promise<void> {
    await this.copy(entries, new Map());
  }

  /**
   * Books the changes bulk writes left pending, then drains the whole outbox in keyset pages, scope by scope: the
   * all-sales buckets first (a few per day and currency, behind every stats total), then brands, then models (the
   * bulk of a big import); returns how many outbox rows were projected. A bucket named by several outbox rows (one
   * per transaction that changed it: after an outage, or imports touching the same days) is copied once per version,
   * not once per row. When it gets to the end, every write committed before it started is projected: it records
   * that instant as the store's `asOf`.
   */
  async drain(pageSize = 1000, onProgress?: (projected: number) => void): Promise<number> {
    const started = new Date().toISOString();
    const booked = await bookPendingChanges(this.sql);
    if (booked > 0) logger.info('Pending changes booked', { rows: booked });
    let projected = 0;
    for (const scope of DRAIN_ORDER) {
      const copied = new Map<string, number>();
      let after = 0;
      for (;;) {
        const rows = await readOutbox(this.sql, scope, after, pageSize);
        const last = rows.at(-1);
        if (!last) break;
        await this.copy(rows, copied);
        projected += rows.length;
        onProgress?.(projected);
        after = last.id;
      }
    }
    await this.store.markProjected(started);
    return projected;
  }

  /**
   * Copies the entries' buckets and forgets the entries. `copied` holds the version of each bucket this drain has
   * already copied (and repaired): an entry whose bucket is still at that version is covered, so only forgotten.
   */
  private async copy(entries: readonly (OutboxEntry | QueuedEntry)[], copied: Map<string, number>) {
    for (let start = 0; start < entries.length; start += COPY_CHUNK) {
      const chunk = entries.slice(start, start + COPY_CHUNK);
      const stale = chunk.filter(
        (entry) => !('version' in entry) || copied.get(bucketId(entry)) !== entry.version,
      );
      const unique = [...new Map(stale.map((key) => [bucketId(key), key])).values()];
      const buckets = await bucketsOf(this.sql, unique);
      await this.store.putMany(buckets);
      const moved = await bucketsOf(this.sql, await movedOn(this.sql, buckets));
      await inParallel(moved, PUTS_IN_FLIGHT, (bucket) => this.store.put(bucket));
      for (const bucket of [...buckets, ...moved]) copied.set(bucketId(bucket), bucket.version);
      await forgetOutbox(
        this.sql,
        chunk.map((entry) => entry.id),
      );
    }
  }
}

/** Runs `work` over `items` with at most `limit` in flight; rejects with the first failure. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const bucketId = (key: BucketKey) => `${key.scope}#${key.scopeId}#${key.currency}#${key.grain}#${key.day}`;
