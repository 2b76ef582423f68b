/**
 * What the reliability suites assert about stored state: row counts (nothing written by a rejected request) and
 * exact convergence of the DynamoDB aggregates with a GROUP BY over the SQL sales. Use from test files only.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { formatDecimal, parseDecimal } from '../../lambdas/shared/money';
import { aggregateOf } from '../../lambdas/shared/projection/dynamo-store';
import type { Row, Sql, SqlParams, SqlResult } from '../../lambdas/shared/sql/port';
import type { LocalStack } from '../../local/stack';
import { LOCAL_TABLES } from '../../local/tables';

export interface RowCounts {
  brands: number;
  models: number;
  sales: number;
  outbox: number;
  /** Sum of all bucket versions: any write of a sale bumps it. */
  bucketVersions: number;
}

export async function rowCounts(sql: Sql): Promise<RowCounts> {
  const { rows } = await sql.query<RowCounts>(
    `SELECT (SELECT count(*) FROM brands)::int AS brands, (SELECT count(*) FROM models)::int AS models,
            (SELECT count(*) FROM sales)::int AS sales, (SELECT count(*) FROM sales_outbox)::int AS outbox,
            (SELECT coalesce(sum(version), 0) FROM sales_buckets)::bigint AS "bucketVersions"`,
  );
  const [counts] = rows;
  if (!counts) throw new Error('no counts');
  return counts;
}

/** brands/models/sales only: what the issue calls "nothing written". */
export const catalogAndSales = ({ brands, models, sales }: RowCounts) => ({ brands, models, sales });

export interface Fingerprint extends RowCounts {
  /** Rows changed by committed statements so far (see WriteLog). */
  committedWrites: number;
}

/** Row counts plus the committed-write counter: a refused request must change neither. */
export async function fingerprint(stack: { sql: Sql }, writes: WriteLog): Promise<Fingerprint> {
  return { ...(await rowCounts(stack.sql)), committedWrites: writes.committed };
}

/**
 * Counts the rows that committed statements changed, seen through the SQL port (the only way the handlers reach
 * the database): a statement outside a transaction counts at once, one inside counts when its transaction commits.
 * Cheap enough to check around every fuzzed request, unlike hashing every table.
 */
export class WriteLog {
  committed = 0;
  readonly wrap = (sql: Sql): Sql => new TrackedSql(sql, this, undefined);
}

class TrackedSql implements Sql {
  constructor(
    private readonly inner: Sql,
    private readonly log: WriteLog,
    private readonly pending: { rows: number } | undefined,
  ) {}

  async query<R extends object = Row>(text: string, params?: SqlParams): Promise<SqlResult<R>> {
    const result = await this.inner.query<R>(text, params);
    if (this.pending) this.pending.rows += result.affected;
    else this.log.committed += result.affected;
    return result;
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.pending) return this.inner.transaction((tx) => work(new TrackedSql(tx, this.log, this.pending)));
    const pending = { rows: 0 };
    const result = await this.inner.transaction((tx) => work(new TrackedSql(tx, this.log, pending)));
    this.log.committed += pending.rows;
    return result;
  }
}

type Figures = [units: number, revenue: string, orders: number];

export interface Bucket {
  units: number;
  revenue: string;
  orders: number;
  /** Brand and all buckets by `brandId/modelId`; absent for model buckets. */
  breakdown: Record<string, Figures>;
}

/** Revenue as a canonical 4-decimal string, so "10" and "10.0000" compare equal. */
const canonical = (amount: string) => formatDecimal(parseDecimal(amount), 4);

const bucketKey = (scope: string, scopeId: string, day: string, currency: string) =>
  `${scope}#${scopeId}#${day}#${currency.trim()}`;

/** Every non-empty bucket the SQL sales imply, by `scope#id#day#currency`. */
export async function sqlBuckets(sql: Sql): Promise<Map<string, Bucket>> {
  const { rows } = await sql.query<{
    scope: string;
    scopeId: string;
    day: string;
    currency: string;
    part: string | null;
    units: number;
    revenue: string;
    orders: number;
  }>(
    `WITH s AS (SELECT s.*, m.brand_id FROM sales s JOIN models m ON m.id = s.model_id)
     SELECT 'model' AS scope, model_id::text AS "scopeId", NULL::text AS part, sale_day AS day, currency,
            sum(quantity)::bigint AS units, sum(quantity * unit_price)::text AS revenue, count(*)::int AS orders
     FROM s GROUP BY model_id, sale_day, currency
     UNION ALL
     SELECT 'brand', brand_id::text, brand_id || '/' || model_id, sale_day, currency,
            sum(quantity)::bigint, sum(quantity * unit_price)::text, count(*)::int
     FROM s GROUP BY brand_id, model_id, sale_day, currency
     UNION ALL
     SELECT 'all', 'all', brand_id || '/' || model_id, sale_day, currency,
            sum(quantity)::bigint, sum(quantity * unit_price)::text, count(*)::int
     FROM s GROUP BY brand_id, model_id, sale_day, currency
     UNION ALL
     SELECT 'all', 'all', brand_id || '/' || model_id, sale_day, '*', sum(quantity)::bigint, '0', count(*)::int
     FROM s GROUP BY brand_id, model_id, sale_day`,
  );
  const buckets = new Map<string, Bucket>();
  for (const row of rows) {
    const key = bucketKey(row.scope, row.scopeId, row.day, row.currency);
    const bucket = buckets.get(key) ?? { units: 0, revenue: '0', orders: 0, breakdown: {} };
    bucket.units += row.units;
    bucket.revenue = formatDecimal(parseDecimal(bucket.revenue) + parseDecimal(row.revenue), 4);
    bucket.orders += row.orders;
    if (row.part !== null) bucket.breakdown[row.part] = [row.units, canonical(row.revenue), row.orders];
    buckets.set(key, bucket);
  }
  return buckets;
}

export interface StoredBucket extends Bucket {
  version: number;
}

/**
 * Every item of the aggregates table, read straight from DynamoDB (not through any wrapped store) and decoded as
 * the store decodes its items.
 */
export async function dynamoBuckets(stack: LocalStack): Promise<Map<string, StoredBucket>> {
  const buckets = new Map<string, StoredBucket>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.dynamo.documents.send(
      new ScanCommand({ TableName: LOCAL_TABLES.aggregates, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (item.grain !== 'day') continue; // dekad, month and year rollups, and the freshness record
      const { breakdown: parts = {}, rankings = {} } = aggregateOf(item);
      const breakdown: Record<string, Figures> = {};
      for (const [brandId, models] of Object.entries(parts)) {
        for (const [modelId, [units, revenue, orders]] of Object.entries(models)) {
          breakdown[`${brandId}/${modelId}`] = [Number(units), canonical(String(revenue)), Number(orders)];
        }
      }
      // Every-currency items: units and orders over every currency (their revenue spans currencies: '0').
      for (const [brandId, models] of Object.entries(rankings)) {
        for (const [modelId, [units, orders]] of Object.entries(models)) {
          breakdown[`${brandId}/${modelId}`] = [Number(units), canonical('0'), Number(orders)];
        }
      }
      buckets.set(
        bucketKey(String(item.scope), String(item.scopeId), String(item.day), String(item.currency)),
        {
          units: Number(item.units),
          revenue: canonical(String(item.revenue)),
          orders: Number(item.orders),
          breakdown,
          version: Number(item.version),
        },
      );
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return buckets;
}

/**
 * Asserts that DynamoDB holds exactly what SQL implies: every non-empty SQL bucket with the same units, revenue,
 * orders and breakdown, and nothing else but empty buckets (whose sales were all deleted). With `versions`, also
 * that every bucket carries the newest version SQL has for it (true once the outbox is drained).
 */
export async function expectConverged(stack: LocalStack, options: { versions?: boolean } = {}) {
  const expected = await sqlBuckets(stack.sql);
  const stored = await dynamoBuckets(stack);
  const actual = new Map<string, Bucket>();
  for (const [key, { version: _, ...bucket }] of stored) {
    if (bucket.orders === 0) {
      expect(bucket, `empty bucket ${key}`).toEqual({
        units: 0,
        revenue: '0.0000',
        orders: 0,
        breakdown: {},
      });
      continue;
    }
    actual.set(key, bucket);
  }
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  if (options.versions) {
    const { rows } = await stack.sql.query<{ key: string; version: number }>(
      `SELECT scope || '#' || scope_id || '#' || sale_day::text || '#' || trim(currency) AS key, version
       FROM sales_buckets WHERE grain = 'day'`,
    );
    const versions = Object.fromEntries([...stored].map(([key, bucket]) => [key, bucket.version]));
    expect(versions).toEqual(Object.fromEntries(rows.map((row) => [row.key, row.version])));
  }
  return expected;
}
