/**
 * The SQL side of the materialization, in one place: every statement on `sales_buckets`, `sales_bucket_parts`,
 * `sales_outbox` and `sales_pending_changes`. Writers call `recordChanges` inside their transaction: it adds each
 * change to the figures of its buckets (day, month and year; model, brand and all; dekads and pentads for brand and all) and
 * bumps their versions, so a projection copies a bucket instead of summing its sales; a bulk write leaves its
 * changes pending instead, for the projector to book (`bookPendingChanges`). The projector reads buckets and the
 * outbox here.
 */
import type { Sql } from '../sql/port';
import {
  ALL_SCOPE_ID,
  type Breakdown,
  type BucketAggregate,
  type BucketKey,
  EVERY_CURRENCY,
  type Grain,
  type PartFigures,
  type Rankings,
  type Scope,
} from './aggregates';

/** A bucket that changed in a committed transaction and awaits projection. */
export interface OutboxEntry extends BucketKey {
  id: number;
}

/** An outbox entry as the drain reads it: with its bucket's version at that moment (null: no such bucket). */
export interface QueuedEntry extends OutboxEntry {
  version: number | null;
}

/** What one written (+) or deleted (−) sale adds to the figures of its buckets. */
export interface SaleChange {
  modelId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  currency: string;
  units: number;
  /** Exact decimal string: quantity × unit price, negative for a deletion. */
  revenue: string;
  /** +1 or −1. */
  orders: number;
}

/** What a transaction queued for projection. */
export interface Booking {
  /** The outbox entries, when few enough to project at once (empty for bulk writes: the drain takes them). */
  entries: OutboxEntry[];
  /** How many outbox rows or pending changes it queued for the drain. */
  queued: number;
}

/**
 * Up to this many changes a write books them itself and gets its outbox entries back (about 18 buckets each: one
 * inline projection); more are left pending for the projector, so a bulk write commits without waiting for them.
 */
const BOOKED_UP_TO_CHANGES = 200;
/**
 * Changes per pending row, hence per booking transaction: keeps each Data API request (about 130 bytes a change)
 * well under its 4 MiB limit and each booking a few seconds at most.
 */
const PENDING_CHUNK = 10_000;

/**
 * Records the changes inside the caller's transaction, so a commit always leaves a trace for the projector: up to
 * BOOKED_UP_TO_CHANGES adds them to their buckets and parts and queues each bucket in the outbox (two statements,
 * whatever the volume of sales already in those buckets); more are stored as pending changes, booked by the
 * projector's next drain (the commit kicks one). Callers sum their changes per model, day and currency first, so
 * a bulk write books each bucket once.
 */
export async function recordChanges(tx: Sql, changes: readonly SaleChange[]): Promise<Booking> {
  if (changes.length === 0) return { entries: [], queued: 0 };
  if (changes.length > BOOKED_UP_TO_CHANGES) {
    for (let start = 0; start < changes.length; start += PENDING_CHUNK) {
      await tx.query('INSERT INTO sales_pending_changes (changes) VALUES (:changes::json)', {
        changes: JSON.stringify(changes.slice(start, start + PENDING_CHUNK)),
      });
    }
    return { entries: [], queued: changes.length };
  }
  const params = { changed: JSON.stringify(changes), ...BOOKING_PARAMS };
  const [buckets, parts] = bookChangesStatements(changesFrom(':changed::json'));
  // Buckets first: a part is only ever locked by a transaction that already holds its bucket (no deadlocks).
  const { rows } = await tx.query<OutboxEntry>(buckets, params);
  await tx.query(parts, params);
  return { entries: rows, queued: rows.length };
}

/**
 * Books pending changes, one row per transaction, until none is left; returns how many rows it booked. Each row
 * is locked, booked and deleted in one transaction, so it is booked exactly once however many drains run; a
 * row another drain is booking is waited for rather than skipped, so when this returns every change committed
 * before it started has its buckets bumped and queued.
 */
export async function bookPendingChanges(sql: Sql): Promise<number> {
  let booked = 0;
  for (;;) {
    const took = await sql.transaction((tx) => bookPending(tx, 1));
    booked += took;
    // Nothing taken: either none is left, or the row waited for was booked meanwhile and others may follow.
    if (took === 0 && !(await hasPendingChanges(sql))) return booked;
  }
}

/**
 * Books up to `limit` pending rows (oldest first) inside the caller's transaction and deletes them; returns how
 * many. A delete calls it before booking its own change, so no bucket ever shows a sale taken away before it was
 * added.
 */
export async function bookPending(tx: Sql, limit = Number.MAX_SAFE_INTEGER): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    'SELECT id FROM sales_pending_changes ORDER BY id LIMIT :limit FOR UPDATE',
    { limit },
  );
  // A bulk booking aggregates tens of thousands of rows: sorts and hashes that fit in memory, not on disk.
  if (rows.length > 0) await tx.query(`SET LOCAL work_mem = '64MB'`);
  for (const { id } of rows) {
    const params = { pending: id, ...BOOKING_PARAMS };
    const [buckets, parts] = BOOK_PENDING_ROW;
    await tx.query(buckets, params);
    await tx.query(parts, params);
    await tx.query('DELETE FROM sales_pending_changes WHERE id = :pending', params);
  }
  return rows.length;
}

async function hasPendingChanges(sql: Sql): Promise<boolean> {
  const { rows } = await sql.query<{ pending: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM sales_pending_changes) AS pending',
  );
  return rows[0]?.pending ?? false;
}

/** The first day of the dekad (the 1st, 11th or 21st) of a SQL date expression. */
export const DEKAD_START = (day: string) => monthSplitStart(day, 10, 3);
/** The first day of the pentad (the 1st, 6th, …, 26th) of a SQL date expression. */
export const PENTAD_START = (day: string) => monthSplitStart(day, 5, 6);
const monthSplitStart = (day: string, length: number, perMonth: number) =>
  `(date_trunc('month', ${day}::timestamp)::date + least((extract(day FROM ${day})::int - 1) / ${length}, ${perMonth - 1}) * ${length})`;

/** The parameters the statements of `bookChangesStatements` take besides those of their `changed` query. */
export const BOOKING_PARAMS = { all: ALL_SCOPE_ID, every: EVERY_CURRENCY };

/** The changes (SaleChange rows) of a json expression, as `bookChangesStatements` takes them. */
const changesFrom = (json: string) => `SELECT c."modelId" AS model_id, m.brand_id, c.day AS sale_day,
       c.currency, c.units, c.revenue, c.orders
     FROM json_to_recordset(${json})
       AS c("modelId" uuid, day date, currency text, units bigint, revenue numeric, orders bigint)
     JOIN models m ON m.id = c."modelId"`;

/**
 * The two statements of a booking (`recordChanges`, `bookPending`), for the changes that `changed` selects
 * (columns model_id, brand_id, sale_day, currency, units, revenue, orders: signed deltas), taking BOOKING_PARAMS:
 * the first adds to the buckets (those of each currency, and for all sales those of EVERY_CURRENCY), bumps their
 * versions and returns their outbox entries (`count`: how many it queued, as `queued`); the second adds to the
 * parts. Rows are locked in key order so concurrent writers cannot deadlock. Exported for benchmarks that load
 * sales in bulk and then book them the way the API does.
 */
export function bookChangesStatements(
  changed: string,
  returning: 'entries' | 'count' = 'entries',
): [buckets: string, parts: string] {
  // Each change once per grain (dekads and pentads for brand and all sales only), then once per scope: the model, its brand
  // (part: the model), all sales (part: the model) in its currency and, for the buckets only, in EVERY_CURRENCY
  // (revenue 0; its breakdown is made from the parts of every currency when it is projected).
  const keyed = (buckets: boolean) => `WITH changed AS (${changed}),
     periods AS (
       SELECT c.model_id, c.brand_id, c.currency, c.units, c.revenue, c.orders, p.grain, p.period
       FROM changed c CROSS JOIN LATERAL (VALUES
         ('day', c.sale_day::date),
         ('dekad', ${DEKAD_START('c.sale_day::date')}),
         ('pentad', ${PENTAD_START('c.sale_day::date')}),
         ('month', date_trunc('month', c.sale_day::timestamp)::date),
         ('year', date_trunc('year', c.sale_day::timestamp)::date)) AS p (grain, period)
     ),
     keyed AS (
       ${
         buckets
           ? `SELECT 'model' AS scope, model_id::text AS scope_id, NULL::text AS part_id, grain, period, currency,
                     units, revenue, orders FROM periods WHERE grain NOT IN ('dekad', 'pentad')
              UNION ALL `
           : ''
       }SELECT 'brand' AS scope, brand_id::text AS scope_id, model_id::text AS part_id, grain, period, currency,
              units, revenue, orders FROM periods
       UNION ALL SELECT 'all', :all, model_id::text, grain, period, currency, units, revenue, orders FROM periods
       ${buckets ? `UNION ALL SELECT 'all', :all, model_id::text, grain, period, :every::text, units, 0, orders FROM periods` : ''}
     )`;
  return [
    `${keyed(true)},
     totals AS (
       SELECT scope, scope_id, grain, period AS sale_day, currency,
              sum(units) AS units, sum(revenue) AS revenue, sum(orders) AS orders
       FROM keyed GROUP BY scope, scope_id, grain, period, currency
     ),
     bumped AS (
       INSERT INTO sales_buckets AS b (scope, scope_id, grain, sale_day, currency, version, units, revenue, orders)
       SELECT scope, scope_id, grain, sale_day, currency, 1, units, revenue, orders FROM totals
       ORDER BY scope, scope_id, grain, sale_day, currency
       ON CONFLICT (scope, scope_id, grain, sale_day, currency) DO UPDATE
         SET version = b.version + 1, units = b.units + EXCLUDED.units, revenue = b.revenue + EXCLUDED.revenue,
             orders = b.orders + EXCLUDED.orders
       RETURNING scope, scope_id, grain, sale_day, currency
     )
     ${
       returning === 'entries'
         ? `INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
            SELECT scope, scope_id, grain, sale_day, currency FROM bumped
            RETURNING id, scope, scope_id AS "scopeId", grain, sale_day AS day, trim(currency) AS currency`
         : `, queued AS (
              INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
              SELECT scope, scope_id, grain, sale_day, currency FROM bumped RETURNING 1
            )
            SELECT count(*)::int AS queued FROM queued`
     }`,
    `${keyed(false)},
     parts AS (
       SELECT scope, scope_id, grain, period AS sale_day, currency, part_id,
              sum(units) AS units, sum(revenue) AS revenue, sum(orders) AS orders
       FROM keyed GROUP BY scope, scope_id, grain, period, currency, part_id
     )
     INSERT INTO sales_bucket_parts AS p (scope, scope_id, grain, sale_day, currency, part_id, units, revenue, orders)
     SELECT scope, scope_id, grain, sale_day, currency, part_id, units, revenue, orders FROM parts
     ORDER BY scope, scope_id, grain, sale_day, currency, part_id
     ON CONFLICT (scope, scope_id, grain, sale_day, currency, part_id) DO UPDATE
       SET units = p.units + EXCLUDED.units, revenue = p.revenue + EXCLUDED.revenue, orders = p.orders + EXCLUDED.orders`,
  ];
}

/** The booking statements of one pending row (`:pending`), built once. */
const BOOK_PENDING_ROW = bookChangesStatements(
  changesFrom('(SELECT changes FROM sales_pending_changes WHERE id = :pending)'),
  'count',
);

/** The keys as JSON rows for `jsonb_to_recordset(:keys::jsonb) AS k(scope, scope_id, grain, sale_day, currency)`. */
const keysJson = (keys: readonly BucketKey[]) =>
  JSON.stringify(
    keys.map((key) => ({
      scope: key.scope,
      scope_id: key.scopeId,
      grain: key.grain,
      sale_day: key.day,
      currency: key.currency,
    })),
  );
const KEYS = `jsonb_to_recordset(:keys::jsonb) AS k(scope text, scope_id text, grain text, sale_day date, currency text)`;
const KEY_JOIN = `b.scope = k.scope AND b.scope_id = k.scope_id AND b.grain = k.grain AND b.sale_day = k.sale_day
  AND b.currency = k.currency`;

/**
 * Each bucket as SQL holds it now: figures, breakdown, a month's days or a year's months and version, read in one
 * statement, so from one snapshot (a change to a day bumps its month and year in the same transaction, so the days
 * and months agree with the version). The cost is a few rows per bucket (its parts, at most 31 days or 12 months),
 * whatever the number of its sales.
 */
export async function bucketsOf(sql: Sql, keys: readonly BucketKey[]): Promise<BucketAggregate[]> {
  if (keys.length === 0) return [];
  const { rows } = await sql.query<
    BucketAggregate & {
      breakdown: Breakdown | null;
      days: Record<string, PartFigures> | null;
      months: Record<string, PartFigures> | null;
      everyCurrency: EveryCurrencyPart[] | null;
    }
  >(
    `SELECT b.scope, b.scope_id AS "scopeId", b.grain, b.sale_day AS day, trim(b.currency) AS currency, b.version,
            b.units, b.revenue::text AS revenue, b.orders,
            (SELECT jsonb_object_agg(brand_id, models) FROM (
               SELECT m.brand_id, jsonb_object_agg(p.part_id, jsonb_build_array(p.units, p.revenue::text, p.orders))
                 AS models
               FROM sales_bucket_parts p JOIN models m ON m.id = p.part_id::uuid
               WHERE p.scope = b.scope AND p.scope_id = b.scope_id AND p.grain = b.grain
                 AND p.sale_day = b.sale_day AND p.currency = b.currency AND p.orders <> 0
               GROUP BY m.brand_id) AS by_brand) AS breakdown,
            CASE WHEN b.grain = 'month' THEN
              (SELECT jsonb_object_agg(d.sale_day::text, jsonb_build_array(d.units, d.revenue::text, d.orders))
               FROM sales_buckets d
               WHERE d.scope = b.scope AND d.scope_id = b.scope_id AND d.grain = 'day' AND d.currency = b.currency
                 AND d.sale_day >= b.sale_day AND d.sale_day < (b.sale_day + interval '1 month')::date
                 AND d.orders <> 0)
            END AS days,
            CASE WHEN b.grain = 'year' THEN
              (SELECT jsonb_object_agg(mo.sale_day::text, jsonb_build_array(mo.units, mo.revenue::text, mo.orders))
               FROM sales_buckets mo
               WHERE mo.scope = b.scope AND mo.scope_id = b.scope_id AND mo.grain = 'month'
                 AND mo.currency = b.currency AND mo.sale_day >= b.sale_day
                 AND mo.sale_day < (b.sale_day + interval '1 year')::date AND mo.orders <> 0)
            END AS months,
            CASE WHEN b.currency = :every THEN
              (SELECT jsonb_agg(jsonb_build_array(m.brand_id, p.part_id, trim(p.currency), p.units, p.revenue::text,
                                                  p.orders))
               FROM sales_bucket_parts p JOIN models m ON m.id = p.part_id::uuid
               WHERE p.scope = b.scope AND p.scope_id = b.scope_id AND p.grain = b.grain
                 AND p.sale_day = b.sale_day AND p.orders <> 0)
            END AS "everyCurrency"
     FROM ${KEYS} JOIN sales_buckets b ON ${KEY_JOIN}`,
    { keys: keysJson(keys), every: EVERY_CURRENCY },
  );
  return rows.map(({ breakdown, days, months, everyCurrency, ...bucket }) => ({
    ...bucket,
    units: Number(bucket.units),
    orders: Number(bucket.orders),
    version: Number(bucket.version),
    ...(bucket.scope === 'model' || bucket.currency === EVERY_CURRENCY ? {} : { breakdown: breakdown ?? {} }),
    ...(bucket.grain === 'month' ? { days: days ?? {} } : {}),
    ...(bucket.grain === 'year' ? { months: months ?? {} } : {}),
    ...(bucket.currency === EVERY_CURRENCY ? { rankings: rankingsOf(everyCurrency ?? []) } : {}),
  }));
}

/** A part of the all-sales bucket in one currency: brand, model, currency, units, revenue, orders. */
type EveryCurrencyPart = [string, string, string, number, string, number];

/** The rankings of an EVERY_CURRENCY bucket: units and orders summed over every currency, revenue per currency. */
function rankingsOf(parts: readonly EveryCurrencyPart[]): Rankings {
  const rankings: Rankings = {};
  for (const [brandId, modelId, currency, units, revenue, orders] of parts) {
    const models = rankings[brandId] ?? {};
    const figures = models[modelId] ?? [0, 0, {}];
    figures[0] += Number(units);
    figures[1] += Number(orders);
    figures[2][currency] = revenue;
    models[modelId] = figures;
    rankings[brandId] = models;
  }
  return rankings;
}

/** The buckets among `written` whose SQL version is now newer than the one written. */
export async function movedOn(sql: Sql, written: readonly BucketAggregate[]): Promise<BucketKey[]> {
  if (written.length === 0) return [];
  const { rows } = await sql.query<BucketKey>(
    `SELECT b.scope, b.scope_id AS "scopeId", b.grain, b.sale_day AS day, trim(b.currency) AS currency
     FROM jsonb_to_recordset(:keys::jsonb)
       AS k(scope text, scope_id text, grain text, sale_day date, currency text, version bigint)
     JOIN sales_buckets b ON ${KEY_JOIN}
     WHERE b.version > k.version`,
    {
      keys: JSON.stringify(
        written.map((bucket) => ({
          scope: bucket.scope,
          scope_id: bucket.scopeId,
          grain: bucket.grain,
          sale_day: bucket.day,
          currency: bucket.currency,
          version: bucket.version,
        })),
      ),
    },
  );
  return rows;
}

/**
 * Outbox entries of one scope after id `after`, oldest first, each with its bucket's current version (read in the
 * same statement, so at least as new as the change the entry stands for).
 */
export async function readOutbox(
  sql: Sql,
  scope: Scope,
  after: number,
  take: number,
): Promise<QueuedEntry[]> {
  const { rows } = await sql.query<QueuedEntry>(
    `SELECT k.id, k.scope, k.scope_id AS "scopeId", k.grain, k.sale_day AS day, trim(k.currency) AS currency,
            b.version
     FROM sales_outbox k LEFT JOIN sales_buckets b ON ${KEY_JOIN}
     WHERE k.scope = :scope AND k.id > :after ORDER BY k.id LIMIT :take`,
    { scope, after, take },
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

/** Outbox rows by scope and grain, and how many distinct buckets they name (benchmarks report it). */
export async function outboxShape(sql: Sql): Promise<{ scope: string; rows: number; buckets: number }[]> {
  const { rows } = await sql.query<{ scope: string; rows: number; buckets: number }>(
    `SELECT scope || ' ' || grain AS scope, count(*)::int AS rows,
            count(DISTINCT (scope_id, sale_day, currency))::int AS buckets
     FROM sales_outbox GROUP BY scope, grain ORDER BY scope, grain`,
  );
  return rows;
}

/** How many buckets the bookkeeping holds. */
export async function bucketCount(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_buckets');
  return rows[0]?.n ?? 0;
}

/** How many buckets of these scopes, the grain and the currency start in `from`…`to` (benchmarks report it). */
export async function bucketsBetween(
  sql: Sql,
  scopes: readonly Scope[],
  currency: string,
  segment: { grain: Grain; from: string; to: string },
): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sales_buckets
     WHERE scope IN (SELECT value #>> '{}' FROM jsonb_array_elements(:scopes::jsonb))
       AND currency = :currency AND grain = :grain AND sale_day BETWEEN :from::date AND :to::date`,
    { scopes: JSON.stringify(scopes), currency, ...segment },
  );
  return rows[0]?.n ?? 0;
}

/** The key of every bucket the bookkeeping holds (benchmarks and rebuilds of the store read them in chunks). */
export async function allBucketKeys(sql: Sql): Promise<BucketKey[]> {
  const { rows } = await sql.query<BucketKey>(
    `SELECT scope, scope_id AS "scopeId", grain, sale_day AS day, trim(currency) AS currency FROM sales_buckets`,
  );
  return rows;
}

/** Queues every bucket for projection again, as a redelivery after a crash would (or a rebuild of the store). */
export async function requeueAllBuckets(sql: Sql): Promise<number> {
  const { affected } = await sql.query(
    `INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
     SELECT scope, scope_id, grain, sale_day, currency FROM sales_buckets`,
  );
  return affected;
}
