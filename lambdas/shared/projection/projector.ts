import type { Sql } from '../sql/port';
import type { AggregateStore, Breakdown, BucketKey, DayAggregate, Scope } from './aggregates';

export interface OutboxEntry extends BucketKey {
  id: number;
}

const RECOMPUTE_CHUNK = 200;
const PUTS_IN_FLIGHT = 16;

/**
 * Per scope: which sales fall in a bucket, and what its breakdown is keyed by (brand buckets break down by
 * model, the all-sales bucket by brand), so rankings need no scan of the sales.
 */
const RECOMPUTE: Record<Scope, { where: string; part: string }> = {
  model: { where: 's.model_id = k.scope_id::uuid', part: 'NULL::text' },
  brand: { where: 'm.brand_id = k.scope_id::uuid', part: 's.model_id::text' },
  all: { where: 'true', part: 'm.brand_id::text' },
};

/**
 * Projects buckets from SQL to the aggregate store: recompute from the sales table, write conditionally on
 * the version, then forget the outbox rows. Safe to run twice, concurrently or out of order: a write never
 * replaces a newer version, and values are recomputed totals, never increments.
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
      const aggregates = await this.recompute(chunk);
      await inParallel(aggregates, PUTS_IN_FLIGHT, (aggregate) => this.store.put(aggregate));
      await this.sql.query(
        "DELETE FROM sales_outbox WHERE id IN (SELECT (value #>> '{}')::bigint FROM jsonb_array_elements(:ids::jsonb))",
        { ids: JSON.stringify(chunk.map((entry) => entry.id)) },
      );
    }
  }

  /** Drains the whole outbox in keyset pages; returns how many outbox rows were projected. */
  async drain(pageSize = 500, onProgress?: (projected: number) => void): Promise<number> {
    let after = 0;
    let projected = 0;
    for (;;) {
      const { rows } = await this.sql.query<OutboxEntry>(
        `SELECT id, scope, scope_id AS "scopeId", sale_day AS day, currency FROM sales_outbox
         WHERE id > :after ORDER BY id LIMIT :take`,
        { after, take: pageSize },
      );
      const last = rows.at(-1);
      if (!last) return projected;
      await this.project(rows);
      projected += rows.length;
      onProgress?.(projected);
      after = last.id;
    }
  }

  private async recompute(keys: readonly BucketKey[]): Promise<DayAggregate[]> {
    const unique = [...new Map(keys.map((key) => [bucketId(key), key])).values()];
    const results: DayAggregate[] = [];
    for (const scope of Object.keys(RECOMPUTE) as Scope[]) {
      const ofScope = unique.filter((key) => key.scope === scope);
      if (ofScope.length === 0) continue;
      const { where, part } = RECOMPUTE[scope];
      // The bucket's version and its sales are read in one statement, so from one snapshot.
      const { rows } = await this.sql.query<DayAggregate & { breakdown: Breakdown | null }>(
        `SELECT k.scope, k.scope_id AS "scopeId", k.sale_day AS day, k.currency, b.version,
                coalesce(a.units, 0) AS units, coalesce(a.revenue, 0)::text AS revenue,
                coalesce(a.orders, 0) AS orders, a.breakdown
         FROM jsonb_to_recordset(:keys::jsonb) AS k(scope text, scope_id text, sale_day date, currency text)
         JOIN sales_buckets b
           ON b.scope = k.scope AND b.scope_id = k.scope_id AND b.sale_day = k.sale_day AND b.currency = k.currency
         LEFT JOIN LATERAL (
           SELECT sum(g.units)::bigint AS units, sum(g.revenue) AS revenue, sum(g.orders)::int AS orders,
                  jsonb_object_agg(g.part, jsonb_build_array(g.units, g.revenue::text, g.orders))
                    FILTER (WHERE g.part IS NOT NULL) AS breakdown
           FROM (
             SELECT ${part} AS part, sum(s.quantity)::bigint AS units, sum(s.quantity * s.unit_price) AS revenue,
                    count(*)::int AS orders
             FROM sales s JOIN models m ON m.id = s.model_id
             WHERE s.sale_day = k.sale_day AND s.currency = k.currency AND ${where}
             GROUP BY 1
           ) g
         ) a ON true`,
        {
          keys: JSON.stringify(
            ofScope.map((key) => ({
              scope,
              scope_id: key.scopeId,
              sale_day: key.day,
              currency: key.currency,
            })),
          ),
        },
      );
      results.push(
        ...rows.map(({ breakdown, ...aggregate }) => (breakdown ? { ...aggregate, breakdown } : aggregate)),
      );
    }
    return results;
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
