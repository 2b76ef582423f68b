/**
 * The SQL side of the materialization, in one place: every statement on `sales_buckets` and `sales_outbox`.
 * Writers call `recordChanges` inside their transaction; the projector reads and forgets the outbox here.
 */
import type { Sql } from '../sql/port';
import { ALL_SCOPE_ID, type Breakdown, type BucketKey, type DayAggregate, type Scope } from './aggregates';

/** A bucket that changed in a committed transaction and awaits projection. */
export interface OutboxEntry extends BucketKey {
  id: number;
}

/** One sale written or deleted, as the bookkeeping needs it. */
export interface SaleChange {
  modelId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  currency: string;
}

/**
 * Bumps the version of every bucket (model, brand, all) the changed sales fall in and records each in the
 * outbox, inside the caller's transaction (so a commit always leaves a trace for the projector).
 */
export async function recordChanges(tx: Sql, changes: readonly SaleChange[]): Promise<OutboxEntry[]> {
  const distinct = [
    ...new Map(
      changes.map((change) => [`${change.modelId}|${change.day}|${change.currency}`, change]),
    ).values(),
  ];
  if (distinct.length === 0) return [];
  const { rows } = await tx.query<OutboxEntry>(
    bucketBumpStatement(`SELECT c."modelId" AS model_id, m.brand_id, c.day AS sale_day, c.currency
       FROM jsonb_to_recordset(:changed::jsonb) AS c("modelId" uuid, day date, currency text)
       JOIN models m ON m.id = c."modelId"`),
    { changed: JSON.stringify(distinct), all: ALL_SCOPE_ID },
  );
  return rows;
}

/**
 * The statement behind `recordChanges`, for the changed sales that `changed` selects (columns model_id,
 * brand_id, sale_day, currency); it takes the parameter `:all` (the all-sales scope id) and returns the outbox
 * entries. Rows are locked in key order so concurrent writers cannot deadlock. Exported for benchmarks that
 * load sales in bulk and then book them the way the API does.
 */
export function bucketBumpStatement(changed: string): string {
  return `WITH changed AS (${changed}), keys AS (
       SELECT 'model' AS scope, model_id::text AS scope_id, sale_day, currency FROM changed
       UNION SELECT 'brand', brand_id::text, sale_day, currency FROM changed
       UNION SELECT :all, :all, sale_day, currency FROM changed
     ), bumped AS (
       INSERT INTO sales_buckets (scope, scope_id, sale_day, currency, version)
       SELECT scope, scope_id, sale_day, currency, 1 FROM keys ORDER BY scope, scope_id, sale_day, currency
       ON CONFLICT (scope, scope_id, sale_day, currency) DO UPDATE SET version = sales_buckets.version + 1
       RETURNING scope, scope_id, sale_day, currency
     )
     INSERT INTO sales_outbox (scope, scope_id, sale_day, currency)
     SELECT scope, scope_id, sale_day, currency FROM bumped
     RETURNING id, scope, scope_id AS "scopeId", sale_day AS day, currency`;
}

/** Outbox entries after id `after`, oldest first. */
export async function readOutbox(sql: Sql, after: number, take: number): Promise<OutboxEntry[]> {
  const { rows } = await sql.query<OutboxEntry>(
    `SELECT id, scope, scope_id AS "scopeId", sale_day AS day, currency FROM sales_outbox
     WHERE id > :after ORDER BY id LIMIT :take`,
    { after, take },
  );
  return rows;
}

/** Removes projected outbox entries. */
export async function forgetOutbox(sql: Sql, ids: readonly number[]): Promise<void> {
  await sql.query(
    "DELETE FROM sales_outbox WHERE id IN (SELECT (value #>> '{}')::bigint FROM jsonb_array_elements(:ids::jsonb))",
    { ids: JSON.stringify(ids) },
  );
}

/** How many entries await projection. */
export async function outboxSize(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_outbox');
  return rows[0]?.n ?? 0;
}

/** Outbox rows by scope, and how many distinct buckets they name (benchmarks report it). */
export async function outboxShape(sql: Sql): Promise<{ scope: string; rows: number; buckets: number }[]> {
  const { rows } = await sql.query<{ scope: string; rows: number; buckets: number }>(
    `SELECT scope, count(*)::int AS rows,
            count(DISTINCT (scope_id, sale_day, currency))::int AS buckets
     FROM sales_outbox GROUP BY scope ORDER BY scope`,
  );
  return rows;
}

/** How many buckets the bookkeeping holds. */
export async function bucketCount(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_buckets');
  return rows[0]?.n ?? 0;
}

/** How many day buckets of these scopes and the currency lie in `from`…`to` (benchmarks report it). */
export async function bucketsBetween(
  sql: Sql,
  scopes: readonly Scope[],
  currency: string,
  from: string,
  to: string,
): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sales_buckets
     WHERE scope IN (SELECT value #>> '{}' FROM jsonb_array_elements(:scopes::jsonb))
       AND currency = :currency AND sale_day BETWEEN :from::date AND :to::date`,
    { scopes: JSON.stringify(scopes), currency, from, to },
  );
  return rows[0]?.n ?? 0;
}

/** Queues every bucket for projection again, as a redelivery after a crash would (or a rebuild of the store). */
export async function requeueAllBuckets(sql: Sql): Promise<number> {
  const { affected } = await sql.query(
    `INSERT INTO sales_outbox (scope, scope_id, sale_day, currency)
     SELECT scope, scope_id, sale_day, currency FROM sales_buckets`,
  );
  return affected;
}

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
 * The figures of each bucket with its version, read in one statement per scope, so from one snapshot: a bucket
 * without sales comes back with zero figures (its sales were deleted), one without a version row not at all.
 */
export async function aggregatesOf(sql: Sql, unique: readonly BucketKey[]): Promise<DayAggregate[]> {
  const results: DayAggregate[] = [];
  for (const scope of Object.keys(RECOMPUTE) as Scope[]) {
    const ofScope = unique.filter((key) => key.scope === scope);
    if (ofScope.length === 0) continue;
    const { where, part } = RECOMPUTE[scope];
    // The bucket's version and its sales are read in one statement, so from one snapshot.
    const { rows } = await sql.query<DayAggregate & { breakdown: Breakdown | null }>(
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
