import type { Sql } from '../sql/port';
import type { AggregateStore, BucketKey } from './aggregates';
import { aggregatesOf, forgetOutbox, type OutboxEntry, readOutbox } from './bookkeeping';

export type { OutboxEntry } from './bookkeeping';

const RECOMPUTE_CHUNK = 200;
const PUTS_IN_FLIGHT = 16;

/**
 * Projects buckets from SQL to the aggregate store: read each bucket's figures with its version, write
 * conditionally on the version, then forget the outbox rows. Safe to run twice, concurrently or out of order:
 * a write never replaces a newer version, and values are whole-bucket figures, never increments.
 */
export class Projector {
  constructor(
    private readonly sql: Sql,
    private readonly store: AggregateStore,
  ) {}

  /** Projects the given outbox entries (e.g. those a request just committed) and removes them from the outbox. */
  async project(entries: readonly OutboxEntry[]): Promise<void> {
    // Chunks keep each Data API request and response well under its limits (4 MiB in, 1 MiB out).
    for (let start = 0; start < entries.length; start += RECOMPUTE_CHUNK) {
      const chunk = entries.slice(start, start + RECOMPUTE_CHUNK);
      const unique = [...new Map(chunk.map((key) => [bucketId(key), key])).values()];
      const aggregates = await aggregatesOf(this.sql, unique);
      await inParallel(aggregates, PUTS_IN_FLIGHT, (aggregate) => this.store.put(aggregate));
      await forgetOutbox(
        this.sql,
        chunk.map((entry) => entry.id),
      );
    }
  }

  /** Drains the whole outbox in keyset pages; returns how many outbox rows were projected. */
  async drain(pageSize = 500, onProgress?: (projected: number) => void): Promise<number> {
    let after = 0;
    let projected = 0;
    for (;;) {
      const rows = await readOutbox(this.sql, after, pageSize);
      const last = rows.at(-1);
      if (!last) return projected;
      await this.project(rows);
      projected += rows.length;
      onProgress?.(projected);
      after = last.id;
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

export const bucketId = (key: BucketKey) => `${key.scope}#${key.scopeId}#${key.currency}#${key.day}`;
