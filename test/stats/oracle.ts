/**
 * The reference for the stats tests: every figure computed straight from the `sales` table (joined to `models`
 * and `brands`) with plain SQL GROUP BYs, never from the DynamoDB buckets and never with the app's money helpers.
 * Amounts are exact numerics rounded to the currency's minor unit in SQL; averages are rounded half-to-even by
 * integer division in SQL (`halfEven`). Dates are inclusive UTC days.
 */
import type { Sql } from '../../lambdas/shared/sql/port';

/** Minor-unit digits of the currencies the tests use (ISO 4217), written out rather than taken from the app. */
export const DIGITS: Record<string, number> = { EUR: 2, USD: 2, GBP: 2, CHF: 2, JPY: 0, KWD: 3 };

export function digitsOf(currency: string): number {
  const digits = DIGITS[currency];
  if (digits === undefined) throw new Error(`No minor-unit digits for ${currency} in the oracle`);
  return digits;
}

/** `n / d` rounded half to even, for a numeric `n` holding an integer and a positive integer `d` (SQL text). */
export function halfEven(n: string, d: string): string {
  const q = `div(${n}, ${d})`;
  const r2 = `(2 * mod(${n}, ${d}))`;
  return `(CASE WHEN ${r2} > ${d} OR (${r2} = ${d} AND mod(${q}, 2) = 1) THEN ${q} + 1 ELSE ${q} END)`;
}

/** An exact amount (numeric SQL expression) as text with exactly the currency's digits. */
const money = (expr: string, digits: number) => `round(coalesce(${expr}, 0), ${digits})::text`;

/** total / orders, half-to-even to the minor unit, null without orders (SQL over the rows of `f`). */
function averageOrderValue(digits: number): string {
  const scale = 10 ** digits;
  const minorUnits = `(sum(f.quantity * f.unit_price) * ${scale})`;
  return `CASE WHEN count(*) = 0 THEN NULL
    ELSE round(${halfEven(minorUnits, 'count(*)')} / ${scale}::numeric, ${digits})::text END`;
}

/** The sales of a currency between two UTC days, with their model's brand and the catalog names. */
const FILTERED = `f AS (
  SELECT s.id, s.model_id, s.sale_day, s.quantity, s.unit_price, m.brand_id, m.name AS model_name,
         b.name AS brand_name
  FROM sales s JOIN models m ON m.id = s.model_id JOIN brands b ON b.id = m.brand_id
  WHERE s.sale_day BETWEEN :from::date AND :to::date AND s.currency::text = :currency
)`;

function single<T>(rows: T[]): T {
  const [row] = rows;
  if (!row || rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
  return row;
}

export interface Range {
  from: string;
  to: string;
  currency: string;
}

export async function expectedRevenue(sql: Sql, range: Range) {
  const digits = digitsOf(range.currency);
  const { rows } = await sql.query<{
    totalRevenue: string;
    orders: number;
    units: number;
    averageOrderValue: string | null;
  }>(
    `WITH ${FILTERED}
     SELECT ${money('sum(f.quantity * f.unit_price)', digits)} AS "totalRevenue", count(*)::int AS orders,
            coalesce(sum(f.quantity), 0)::int AS units, ${averageOrderValue(digits)} AS "averageOrderValue"
     FROM f`,
    { ...range },
  );
  return { ...range, ...single(rows) };
}

export async function expectedDaily(sql: Sql, range: Range) {
  const digits = digitsOf(range.currency);
  const { rows } = await sql.query<{ date: string; revenue: string; orders: number; units: number }>(
    `WITH ${FILTERED}, days AS (
       SELECT d::date AS day FROM generate_series(:from::date, :to::date, interval '1 day') AS d
     )
     SELECT days.day::text AS date, ${money('sum(f.quantity * f.unit_price)', digits)} AS revenue,
            count(f.id)::int AS orders, coalesce(sum(f.quantity), 0)::int AS units
     FROM days LEFT JOIN f ON f.sale_day = days.day
     GROUP BY days.day ORDER BY days.day`,
    { ...range },
  );
  return { ...range, days: rows };
}

export interface TopQuery extends Range {
  by: 'units' | 'revenue';
  limit: number;
  brandId?: string;
}

/**
 * Top models: units and orders count every sale of the range whatever its currency; revenue is the currency's
 * (0 for a model sold only in others).
 */
export async function expectedTop(sql: Sql, query: TopQuery) {
  const digits = digitsOf(query.currency);
  const units = 'sum(a.quantity)';
  const revenue = 'coalesce(sum(a.quantity * a.unit_price) FILTER (WHERE a.currency::text = :currency), 0)';
  const order =
    query.by === 'units'
      ? `${units} DESC, ${revenue} DESC, a.model_id::text COLLATE "C"`
      : `${revenue} DESC, ${units} DESC, a.model_id::text COLLATE "C"`;
  const { rows } = await sql.query(
    `WITH a AS (
       SELECT s.model_id, s.quantity, s.unit_price, s.currency, m.brand_id, m.name AS model_name,
              b.name AS brand_name
       FROM sales s JOIN models m ON m.id = s.model_id JOIN brands b ON b.id = m.brand_id
       WHERE s.sale_day BETWEEN :from::date AND :to::date
     )
     SELECT row_number() OVER (ORDER BY ${order})::int AS rank, a.model_id::text AS "modelId",
            a.model_name AS "modelName", a.brand_id::text AS "brandId", a.brand_name AS "brandName",
            ${units}::int AS units, ${money(revenue, digits)} AS revenue, count(*)::int AS orders
     FROM a ${query.brandId ? 'WHERE a.brand_id = :brandId::uuid' : ''}
     GROUP BY a.model_id, a.model_name, a.brand_id, a.brand_name
     ORDER BY rank LIMIT :limit`,
    {
      from: query.from,
      to: query.to,
      currency: query.currency,
      limit: query.limit,
      ...(query.brandId ? { brandId: query.brandId } : {}),
    },
  );
  return {
    from: query.from,
    to: query.to,
    currency: query.currency,
    by: query.by,
    brandId: query.brandId ?? null,
    items: rows,
    namesStale: false,
  };
}

export async function expectedBrand(sql: Sql, brandId: string, range: Range) {
  const digits = digitsOf(range.currency);
  const params = { ...range, brandId };
  const brand = await sql.query<{ name: string }>('SELECT name FROM brands WHERE id = :brandId::uuid', {
    brandId,
  });
  const totals = await sql.query<{
    units: number;
    revenue: string;
    orders: number;
    averageOrderValue: string | null;
  }>(
    `WITH ${FILTERED}
     SELECT coalesce(sum(f.quantity), 0)::int AS units, ${money('sum(f.quantity * f.unit_price)', digits)} AS revenue,
            count(*)::int AS orders, ${averageOrderValue(digits)} AS "averageOrderValue"
     FROM f WHERE f.brand_id = :brandId::uuid`,
    params,
  );
  const models = await sql.query(
    `WITH ${FILTERED}
     SELECT f.model_id::text AS "modelId", f.model_name AS "modelName", sum(f.quantity)::int AS units,
            ${money('sum(f.quantity * f.unit_price)', digits)} AS revenue, count(*)::int AS orders
     FROM f WHERE f.brand_id = :brandId::uuid
     GROUP BY f.model_id, f.model_name
     ORDER BY sum(f.quantity * f.unit_price) DESC, sum(f.quantity) DESC, f.model_id::text COLLATE "C"`,
    params,
  );
  return {
    brandId,
    brandName: brand.rows[0]?.name ?? null,
    ...range,
    totals: single(totals.rows),
    models: models.rows,
    namesStale: false,
  };
}

export type Granularity = 'day' | 'week' | 'month' | 'year';

/** Period labels in SQL: ISO week `IYYY-"W"IW` (2024-12-30 → 2025-W01), month `YYYY-MM`, year `YYYY`. */
const LABEL: Record<Granularity, string> = {
  day: `to_char(d.day, 'YYYY-MM-DD')`,
  week: `to_char(d.day, 'IYYY-"W"IW')`,
  month: `to_char(d.day, 'YYYY-MM')`,
  year: `to_char(d.day, 'YYYY')`,
};

export async function expectedModelSales(
  sql: Sql,
  modelId: string,
  query: Range & { granularity: Granularity },
) {
  const digits = digitsOf(query.currency);
  const params = { from: query.from, to: query.to, currency: query.currency, modelId };
  const { rows: periods } = await sql.query<{
    period: string;
    units: number;
    revenue: string;
    orders: number;
  }>(
    `WITH days AS (
       SELECT d::date AS day FROM generate_series(:from::date, :to::date, interval '1 day') AS d
     ), labelled AS (
       SELECT ${LABEL[query.granularity]} AS period, d.day FROM days d
     ), s AS (
       SELECT * FROM sales
       WHERE model_id = :modelId::uuid AND currency::text = :currency AND sale_day BETWEEN :from::date AND :to::date
     )
     SELECT l.period, coalesce(sum(s.quantity), 0)::int AS units,
            ${money('sum(s.quantity * s.unit_price)', digits)} AS revenue, count(s.id)::int AS orders
     FROM labelled l LEFT JOIN s ON s.sale_day = l.day
     GROUP BY l.period ORDER BY min(l.day)`,
    params,
  );
  const { rows: totals } = await sql.query<{
    units: number;
    revenue: string;
    orders: number;
    average: string;
  }>(
    `WITH s AS (
       SELECT * FROM sales
       WHERE model_id = :modelId::uuid AND currency::text = :currency AND sale_day BETWEEN :from::date AND :to::date
     ), n AS (
       SELECT count(DISTINCT ${LABEL[query.granularity]})::int AS periods
       FROM (SELECT d::date AS day FROM generate_series(:from::date, :to::date, interval '1 day') AS d) d
     )
     SELECT coalesce(sum(s.quantity), 0)::int AS units, ${money('sum(s.quantity * s.unit_price)', digits)} AS revenue,
            count(s.id)::int AS orders,
            round(${halfEven('(coalesce(sum(s.quantity), 0) * 100)::numeric', 'min(n.periods)')} / 100::numeric, 2)::text
              AS average
     FROM n LEFT JOIN s ON true`,
    params,
  );
  const total = single(totals);
  const { rows: names } = await sql.query<{ name: string }>(
    'SELECT name FROM models WHERE id = :modelId::uuid',
    { modelId },
  );
  return {
    modelId,
    modelName: names[0]?.name ?? null,
    from: query.from,
    to: query.to,
    granularity: query.granularity,
    currency: query.currency,
    totals: {
      units: total.units,
      revenue: total.revenue,
      orders: total.orders,
      averageUnitsPerPeriod: Number(total.average),
    },
    periods,
    namesStale: false,
  };
}

/** A small, seedable PRNG (mulberry32): the same seed gives the same data set. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  return { next, int, pick };
}
export type Prng = ReturnType<typeof prng>;

const DAY_MS = 86_400_000;

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** An instant written in a UTC offset, e.g. `2025-01-01T00:30:00.000+02:00` for 2024-12-31T22:30Z. */
export function inOffset(instantMs: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(instantMs).toISOString();
  const local = new Date(instantMs + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
