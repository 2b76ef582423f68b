/**
 * Fixtures for the sales tests: stacks with an extra writer client, tokens for any client, fresh brands and
 * models, and the reference figures (a plain SQL GROUP BY over the sales table) the DynamoDB buckets must equal.
 * Imports vitest (for `expect`), so use it from test files only.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { SaleCreate } from '../../lambdas/sales/schemas';
import { parseDecimal } from '../../lambdas/shared/money';
import type { Scope } from '../../lambdas/shared/projection/aggregates';
import type { Sql } from '../../lambdas/shared/sql/port';
import { type AppClient, loadClients } from '../../local/auth';
import type { LocalStack } from '../../local/stack';
import { LOCAL_TABLES } from '../../local/tables';

export const OTHER_WRITER: AppClient = {
  clientId: 'other-writer',
  clientSecret: 'other-writer-secret',
  scopes: ['sales-api/read', 'sales-api/write'],
};

/** The demo clients plus a second writer, for ownership tests. */
export const clientsWithOtherWriter = (): AppClient[] => [...loadClients(), OTHER_WRITER];

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** A sale as the API accepts it (the request schema's type). */
export type SaleInput = SaleCreate;

export const saleOf = (modelId: string, fields: Partial<SaleInput> = {}): SaleInput => ({
  modelId,
  soldAt: '2025-03-01T10:00:00Z',
  quantity: 1,
  unitPrice: '100.00',
  ...fields,
});

/** A CSV body (LF line ends) of the given header and rows; cells are written as given. */
export const csvOf = (header: string[], rows: string[][], newline = '\n'): string =>
  [header.join(','), ...rows.map((row) => row.join(','))].join(newline) + newline;

export const CSV_HEADER = ['modelId', 'soldAt', 'quantity', 'unitPrice', 'currency', 'country', 'externalId'];

export const csvRow = (sale: SaleInput): string[] => [
  sale.modelId,
  sale.soldAt,
  String(sale.quantity),
  sale.unitPrice,
  sale.currency ?? '',
  sale.country ?? '',
  sale.externalId ?? '',
];

export async function count(sql: Sql, from: string, where = 'true', params = {}): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${from} WHERE ${where}`,
    params,
  );
  return rows[0]?.n ?? -1;
}

export const salesOfModel = (sql: Sql, modelId: string) =>
  count(sql, 'sales', 'model_id = :modelId::uuid', { modelId });

export interface Figures {
  units: number;
  /** Exact, scaled by 10^4 (see money.ts). */
  revenue: bigint;
  orders: number;
}

interface ExpectedRow {
  scope: Scope;
  scopeId: string;
  day: string;
  currency: string;
  version: number | null;
  units: number;
  revenue: string;
  orders: number;
}

const bucketKey = (scope: string, scopeId: string, currency: string, day: string) =>
  `${scope}#${scopeId}#${currency}#${day}`;

/**
 * What every bucket must hold: a plain GROUP BY of the sales table per model, brand and all, per UTC day and
 * currency, over every bucket SQL knows (buckets whose sales are all gone must be zero).
 */
export async function expectedBuckets(sql: Sql): Promise<Map<string, Figures & { version: number | null }>> {
  const { rows } = await sql.query<ExpectedRow>(
    `WITH s AS (
       SELECT s.model_id, m.brand_id, s.sale_day, s.currency, s.quantity, s.unit_price
       FROM sales s JOIN models m ON m.id = s.model_id
     ), g AS (
       SELECT 'model'::text AS scope, model_id::text AS scope_id, sale_day, currency::text AS currency,
              sum(quantity) AS units, sum(quantity * unit_price) AS revenue, count(*) AS orders
       FROM s GROUP BY model_id, sale_day, currency
       UNION ALL
       SELECT 'brand', brand_id::text, sale_day, currency::text,
              sum(quantity), sum(quantity * unit_price), count(*)
       FROM s GROUP BY brand_id, sale_day, currency
       UNION ALL
       SELECT 'all', 'all', sale_day, currency::text, sum(quantity), sum(quantity * unit_price), count(*)
       FROM s GROUP BY sale_day, currency
       UNION ALL
       SELECT 'all', 'all', sale_day, '*', sum(quantity), 0, count(*) FROM s GROUP BY sale_day
     )
     SELECT coalesce(b.scope, g.scope) AS scope, coalesce(b.scope_id, g.scope_id) AS "scopeId",
            coalesce(b.sale_day, g.sale_day)::text AS day, coalesce(b.currency::text, g.currency) AS currency,
            b.version, coalesce(g.units, 0)::int AS units, coalesce(g.revenue, 0)::text AS revenue,
            coalesce(g.orders, 0)::int AS orders
     FROM (SELECT * FROM sales_buckets WHERE grain = 'day') b
     FULL JOIN g ON g.scope = b.scope AND g.scope_id = b.scope_id AND g.sale_day = b.sale_day
       AND g.currency = b.currency::text`,
  );
  return new Map(
    rows.map((row) => [
      bucketKey(row.scope, row.scopeId, row.currency, row.day),
      {
        units: row.units,
        revenue: parseDecimal(row.revenue),
        orders: row.orders,
        version: row.version === null ? null : Number(row.version),
      },
    ]),
  );
}

/** Every bucket in the DynamoDB aggregates table (a full scan). */
export async function storedBuckets(stack: LocalStack): Promise<Map<string, Figures & { version: number }>> {
  const buckets = new Map<string, Figures & { version: number }>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.dynamo.documents.send(
      new ScanCommand({ TableName: LOCAL_TABLES.aggregates, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (item.grain !== 'day') continue; // month and year rollups, and the freshness record
      buckets.set(bucketKey(item.scope, item.scopeId, item.currency, item.day), {
        units: Number(item.units),
        revenue: parseDecimal(String(item.revenue)),
        orders: Number(item.orders),
        version: Number(item.version),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return buckets;
}

const show = (figures: Figures) =>
  `units ${figures.units}, revenue ${figures.revenue}e-4, orders ${figures.orders}`;

/**
 * Asserts that DynamoDB equals SQL exactly: every bucket SQL knows is in DynamoDB (read through
 * `store.queryPeriods`, per scope, id and currency) with the GROUP BY figures to the cent and the newest version,
 * empty buckets are zero, and DynamoDB holds no bucket SQL does not know. Returns how many buckets it compared.
 */
export async function expectConverged(stack: LocalStack): Promise<number> {
  const expected = await expectedBuckets(stack.sql);
  const partitions = new Map<string, { scope: Scope; scopeId: string; currency: string; days: string[] }>();
  for (const key of expected.keys()) {
    const [scope, scopeId, currency, day] = key.split('#') as [Scope, string, string, string];
    const id = `${scope}#${scopeId}#${currency}`;
    const partition = partitions.get(id) ?? { scope, scopeId, currency, days: [] };
    partition.days.push(day);
    partitions.set(id, partition);
  }
  const mismatches: string[] = [];
  for (const { scope, scopeId, currency, days } of partitions.values()) {
    days.sort();
    const from = days[0] ?? '1900-01-01';
    const to = days.at(-1) ?? '2100-12-31';
    const stored = new Map(
      (await stack.store.queryPeriods({ scope, scopeId, currency, grain: 'day', from, to })).map((day) => [
        day.day,
        day,
      ]),
    );
    for (const day of days) {
      const want = expected.get(bucketKey(scope, scopeId, currency, day));
      const got = stored.get(day);
      const where = `${scope} ${scopeId} ${currency} ${day}`;
      if (!want) continue;
      if (want.version === null) {
        mismatches.push(`${where}: sales exist but SQL has no bucket version`);
        continue;
      }
      if (!got) {
        mismatches.push(`${where}: missing in DynamoDB, want ${show(want)}`);
        continue;
      }
      const gotFigures = { units: got.units, revenue: parseDecimal(got.revenue), orders: got.orders };
      if (
        gotFigures.units !== want.units ||
        gotFigures.revenue !== want.revenue ||
        gotFigures.orders !== want.orders
      ) {
        mismatches.push(`${where}: got ${show(gotFigures)}, want ${show(want)}`);
      }
      if (got.version !== want.version) {
        mismatches.push(`${where}: version ${got.version}, SQL bucket version ${want.version}`);
      }
    }
  }
  for (const key of (await storedBuckets(stack)).keys()) {
    if (!expected.has(key)) mismatches.push(`${key}: in DynamoDB but unknown to SQL`);
  }
  expect(mismatches).toEqual([]);
  return expected.size;
}
