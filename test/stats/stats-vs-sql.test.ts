/**
 * Every stats endpoint, over real HTTP, equals the same figures computed independently in SQL from the `sales`
 * table (see ./oracle.ts), to the cent, on a seeded random data set: 4 brands with sales and one without, 12
 * models (one never sold), EUR, USD and JPY (integer prices), days across a year and a month boundary, sales
 * written by batch and CSV in several UTC offsets, then some deleted by their submitting client; plus hand-made
 * sales with known answers (GBP, CHF, KWD, JPY). Reproduce a failure with STATS_SEED=<seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, operations, Schemas } from '../../client';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { expectData, expectProblem, expectStatus } from '../support/api';
import { clientOf } from '../support/fixtures';
import { postCsv } from '../support/sales-client';
import {
  addDays,
  daysFrom,
  expectedBrand,
  expectedDaily,
  expectedModelSales,
  expectedRevenue,
  expectedTop,
  type Granularity,
  inOffset,
  type Prng,
  prng,
  type Range,
} from './oracle';

const SEED = Number(process.env.STATS_SEED ?? 20_250_101);
const WINDOW = { from: '2024-12-20', to: '2025-02-08' }; // a year and a month boundary
const BATCHES = [400]; // by demo-writer, POST /sales/batch
const CSV_ROWS = 250; // by demo-admin, POST /sales/import
const DELETES = { writer: 25, admin: 12 };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const GRANULARITIES: Granularity[] = ['day', 'week', 'month', 'year'];

const rng = prng(SEED);
let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let reader: ApiClient;
type Brand = Schemas['Brand'];
type Model = Schemas['Model'];
type Sale = Schemas['Sale'];
let brands: Brand[];
let models: Model[];
/** Models by role in the hand-made sales: a1..a3 of brands[0], b1 of brands[1]; `unsold` never sells. */
let fixed: { a1: Model; a2: Model; a3: Model; b1: Model; unsold: Model };
let deletedCount = 0;
let insertedCount = 0;

interface SaleInput {
  modelId: string;
  soldAt: string;
  quantity: number;
  unitPrice: string;
  currency?: string;
  country?: string;
}

function randomSale(random: Prng, sellable: readonly Model[]): SaleInput {
  const model = random.pick(sellable);
  const r = random.next();
  const currency = r < 0.55 ? 'EUR' : r < 0.8 ? 'USD' : 'JPY';
  const day = addDays(WINDOW.from, random.int(0, daysFrom(WINDOW.from, WINDOW.to)));
  const midnight = Date.parse(`${day}T00:00:00Z`);
  // Some sales within minutes of a UTC midnight, so offsets move them across days (and years).
  const nearMidnight = random.next() < 0.1;
  const instant = nearMidnight
    ? midnight + random.int(-180_000, 180_000)
    : midnight + random.int(0, 86_399_999);
  const offset = random.pick([0, 0, 120, -300, 540, 330, -600, 840]);
  const soldAt = random.next() < 0.08 ? day : inOffset(instant, offset);
  const q = random.next();
  const quantity = q < 0.7 ? 1 : q < 0.95 ? random.int(2, 3) : random.int(4, 20);
  let unitPrice: string;
  if (currency === 'JPY') {
    const yen = random.int(900_000, 9_000_000);
    unitPrice = random.next() < 0.1 ? `${yen}.00` : String(yen);
  } else {
    const whole = random.int(5000, 90_000);
    const f = random.next();
    unitPrice =
      f < 0.8
        ? `${whole}.${String(random.int(0, 99)).padStart(2, '0')}`
        : f < 0.9
          ? String(whole)
          : `${whole}.${random.int(0, 9)}`;
  }
  const sale: SaleInput = { modelId: model.id, soldAt, quantity, unitPrice };
  if (currency !== 'EUR' || random.next() < 0.7) sale.currency = currency; // else the EUR default applies
  if (random.next() < 0.5) sale.country = random.pick(['DE', 'FR', 'US', 'JP']);
  return sale;
}

const csvOf = (sales: readonly SaleInput[]) =>
  [
    'modelId,soldAt,quantity,unitPrice,currency,country',
    ...sales.map((s) =>
      [s.modelId, s.soldAt, s.quantity, s.unitPrice, s.currency ?? '', s.country ?? ''].join(','),
    ),
  ].join('\n');

async function postBatch(client: ApiClient, sales: readonly SaleInput[]): Promise<Sale[]> {
  const created = expectData(await client.POST('/sales/batch', { body: { sales: [...sales] } }), 201);
  insertedCount += sales.length;
  return created.items;
}

async function deleteSale(client: ApiClient, id: string) {
  expectStatus(await client.DELETE('/sales/{saleId}', { params: { path: { saleId: id } } }), 204);
  deletedCount += 1;
}

/** Picks `n` distinct items. */
function sample<T>(random: Prng, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < n && pool.length > 0) picked.push(...pool.splice(random.int(0, pool.length - 1), 1));
  return picked;
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, projectorIntervalMs: 0 });
  admin = await clientOf(stack, 'demo-admin');
  writer = await clientOf(stack, 'demo-writer');
  reader = await clientOf(stack, 'demo-reader');

  // The catalog: names with spaces, accents and quotes, to see they come back exactly.
  brands = [];
  for (const name of ['Škoda "Test"', 'Alfa Romeo', 'Toyota', 'Citroën', 'Empty Brand']) {
    brands.push(expectData(await admin.POST('/brands', { body: { name } }), 201));
  }
  const modelsPerBrand = [3, 3, 3, 2, 1];
  models = [];
  for (const [b, count] of modelsPerBrand.entries()) {
    for (let m = 0; m < count; m++) {
      const brand = brands[b];
      if (!brand) throw new Error('no brand');
      const body = { brandId: brand.id, name: `Model ${b}.${m} «x»` };
      models.push(expectData(await admin.POST('/models', { body }), 201));
    }
  }
  const [a1, a2, a3, b1] = models;
  const unsold = models.at(-1);
  if (!a1 || !a2 || !a3 || !b1 || !unsold) throw new Error('models missing');
  fixed = { a1, a2, a3, b1, unsold };
  const sellable = models.slice(0, -1);

  // Random sales: a batch by the writer, one CSV import by the admin.
  const writerSales: Sale[] = [];
  for (const size of BATCHES) {
    writerSales.push(
      ...(await postBatch(
        writer,
        Array.from({ length: size }, () => randomSale(rng, sellable)),
      )),
    );
  }
  const csvSales = Array.from({ length: CSV_ROWS }, () => randomSale(rng, sellable));
  const imported = expectData(await postCsv(admin, csvOf(csvSales)), 201);
  expect(imported.importedRows).toBe(CSV_ROWS);
  insertedCount += CSV_ROWS;

  // Hand-made sales with known answers (see the first test).
  const hand = (modelId: string, soldAt: string, quantity: number, unitPrice: string, currency: string) => ({
    modelId,
    soldAt,
    quantity,
    unitPrice,
    currency,
  });
  await postBatch(admin, [
    // UTC day attribution at the year boundary (GBP is otherwise only used in March).
    hand(a1.id, '2024-12-31T23:59:59.999Z', 1, '10.00', 'GBP'),
    hand(a1.id, '2025-01-01T00:00:00Z', 1, '20.00', 'GBP'),
    hand(a1.id, '2025-01-01T01:00:00+02:00', 1, '40.00', 'GBP'),
    hand(a1.id, '2024-12-31T20:00:00-05:00', 1, '80.00', 'GBP'),
    hand(a1.id, '2025-01-01', 1, '160.00', 'GBP'),
    // Average order values exactly half a minor unit: half to even.
    hand(a1.id, '2025-03-10T10:00:00Z', 1, '0.01', 'GBP'),
    hand(a1.id, '2025-03-10T11:00:00Z', 1, '0.02', 'GBP'), // 0.015 → 0.02
    hand(a1.id, '2025-03-11T10:00:00Z', 1, '0.01', 'GBP'),
    hand(a1.id, '2025-03-11T11:00:00Z', 1, '0.04', 'GBP'), // 0.025 → 0.02
    hand(a1.id, '2025-03-12T10:00:00Z', 1, '0.03', 'GBP'),
    hand(a1.id, '2025-03-12T11:00:00Z', 1, '0.04', 'GBP'), // 0.035 → 0.04
    hand(b1.id, '2025-03-13T10:00:00Z', 1, '1', 'JPY'),
    hand(b1.id, '2025-03-13T11:00:00Z', 1, '2', 'JPY'), // 1.5 → 2
    hand(b1.id, '2025-03-14T10:00:00Z', 1, '1', 'JPY'),
    hand(b1.id, '2025-03-14T11:00:00Z', 1, '4', 'JPY'), // 2.5 → 2
    // Ranking ties in CHF: a1 and a2 are equal in units and revenue; a3 has a1's revenue in 2 units.
    hand(a1.id, '2025-03-12T09:00:00Z', 1, '100.00', 'CHF'),
    hand(a2.id, '2025-03-12T09:00:00Z', 1, '100.00', 'CHF'),
    hand(a3.id, '2025-03-12T09:00:00Z', 2, '50.00', 'CHF'),
    hand(b1.id, '2025-03-12T09:00:00Z', 1, '150.00', 'CHF'),
    // Three decimals (KWD): 0.003 / 2 = 0.0015 → 0.002.
    hand(a2.id, '2025-03-16T10:00:00Z', 1, '0.001', 'KWD'),
    hand(b1.id, '2025-03-16T11:00:00Z', 1, '0.002', 'KWD'),
    hand(b1.id, '2025-03-17T11:00:00Z', 3, '1.5', 'KWD'),
  ]);
  // A bucket emptied by a delete: the only USD sale of 2025-02-20.
  const [lonely] = await postBatch(writer, [hand(b1.id, '2025-02-20T12:00:00Z', 3, '999.99', 'USD')]);
  if (!lonely) throw new Error('no sale');

  // Deletes by the submitting client; another client may not.
  const csvIds = (
    await stack.sql.query<{ id: string }>(
      `SELECT id::text AS id FROM sales WHERE submitted_by = 'demo-admin' AND currency NOT IN ('GBP', 'CHF', 'KWD')
       AND NOT (currency = 'JPY' AND sale_day >= '2025-03-01') ORDER BY id`,
    )
  ).rows.map((row) => row.id);
  expect(csvIds).toHaveLength(CSV_ROWS);
  const forbidden = await writer.DELETE('/sales/{saleId}', { params: { path: { saleId: csvIds[0] ?? '' } } });
  expectProblem(forbidden, 403);
  for (const sale of sample(rng, writerSales, DELETES.writer)) await deleteSale(writer, sale.id);
  for (const id of sample(rng, csvIds, DELETES.admin)) await deleteSale(admin, id);
  await deleteSale(writer, lonely.id);

  await stack.projector.drain();
  const outbox = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_outbox');
  expect(outbox.rows[0]?.n).toBe(0);
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

type Query<K extends keyof operations> = operations[K]['parameters'] extends { query: infer Q } ? Q : never;

/** The stats reads of the reader, typed. */
const stats = {
  revenue: (query: Query<'getRevenue'>) => reader.GET('/stats/revenue', { params: { query } }),
  daily: (query: Query<'getDailyRevenue'>) => reader.GET('/stats/revenue/daily', { params: { query } }),
  top: (query: Query<'getTopModels'>) => reader.GET('/stats/models/top', { params: { query } }),
  brand: (brandId: string, query: Query<'getBrandStats'>) =>
    reader.GET('/stats/brands/{brandId}', { params: { path: { brandId }, query } }),
  modelSales: (modelId: string, query: Query<'getModelSales'>) =>
    reader.GET('/models/{modelId}/sales', { params: { path: { modelId }, query } }),
};

/** A stats or per-model sales answer (200), without `asOf` (how fresh it is; checked to be an instant or null). */
async function figures<T extends { asOf?: string | null }>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  what = '',
): Promise<Omit<T, 'asOf'>> {
  const { asOf, ...rest } = expectData(await request);
  expect(asOf === null || (typeof asOf === 'string' && !Number.isNaN(Date.parse(asOf))), what).toBe(true);
  return rest;
}

describe(`stats equal SQL (seed ${SEED})`, () => {
  it('wrote the data set it meant to', async () => {
    const { rows } = await stack.sql.query<{ n: number; models: number; currencies: string; days: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT model_id)::int AS models,
              string_agg(DISTINCT currency, ',' ORDER BY currency) AS currencies,
              count(DISTINCT sale_day)::int AS days FROM sales`,
    );
    expect(rows[0]).toMatchObject({
      n: insertedCount - deletedCount,
      models: models.length - 1,
      currencies: 'CHF,EUR,GBP,JPY,KWD,USD',
    });
    expect(rows[0]?.days).toBeGreaterThan(45);
    expect(deletedCount).toBe(DELETES.writer + DELETES.admin + 1);
  });

  it('matches hand-computed answers: UTC days, half-to-even averages, ranking ties, emptied buckets', async () => {
    // UTC day attribution across the year boundary.
    const boundary = await figures(stats.daily({ from: '2024-12-31', to: '2025-01-01', currency: 'GBP' }));
    expect(boundary.days).toEqual([
      { date: '2024-12-31', revenue: '50.00', orders: 2, units: 2 },
      { date: '2025-01-01', revenue: '260.00', orders: 3, units: 3 },
    ]);
    const years = await figures(
      stats.modelSales(fixed.a1.id, {
        from: '2024-12-31',
        to: '2025-01-01',
        granularity: 'year',
        currency: 'GBP',
      }),
    );
    expect(years.periods).toEqual([
      { period: '2024', units: 2, revenue: '50.00', orders: 2 },
      { period: '2025', units: 3, revenue: '260.00', orders: 3 },
    ]);
    // 2024-12-30 and 2025-01-01 are in ISO week 2025-W01; 2024-12-29 in 2024-W52.
    const weeks = await figures(
      stats.modelSales(fixed.a1.id, {
        from: '2024-12-29',
        to: '2025-01-06',
        granularity: 'week',
        currency: 'GBP',
      }),
    );
    expect(weeks.periods.map((p) => p.period)).toEqual(['2024-W52', '2025-W01', '2025-W02']);

    // Average order value: half to even, per currency minor unit.
    const aov = async (from: string, to: string, currency: string) => {
      const body = await figures(stats.revenue({ from, to, currency }));
      const oracle = await expectedRevenue(stack.sql, { from, to, currency });
      expect(body).toEqual(oracle);
      return body.averageOrderValue;
    };
    expect(await aov('2025-03-10', '2025-03-10', 'GBP')).toBe('0.02');
    expect(await aov('2025-03-11', '2025-03-11', 'GBP')).toBe('0.02');
    expect(await aov('2025-03-12', '2025-03-12', 'GBP')).toBe('0.04');
    expect(await aov('2025-03-10', '2025-03-12', 'GBP')).toBe('0.02'); // 0.15 / 6 = 0.025 → 0.02
    expect(await aov('2025-03-13', '2025-03-13', 'JPY')).toBe('2');
    expect(await aov('2025-03-14', '2025-03-14', 'JPY')).toBe('2');
    expect(await aov('2025-03-13', '2025-03-14', 'JPY')).toBe('2'); // 8 / 4
    expect(await aov('2025-03-16', '2025-03-16', 'KWD')).toBe('0.002');
    expect(await aov('2025-03-16', '2025-03-17', 'KWD')).toBe('1.501'); // 4.503 / 3
    expect(await aov('2023-01-01', '2023-01-31', 'EUR')).toBeNull();

    // Ranking ties: by the other metric, then modelId.
    const [first, second] = [fixed.a1.id, fixed.a2.id].sort();
    const ranked = async (by: 'units' | 'revenue') =>
      (
        await figures(stats.top({ from: '2025-03-12', to: '2025-03-12', currency: 'CHF', by, limit: 10 }))
      ).items.map((item) => item.modelId);
    // Units and orders count every currency: a1's two GBP sales that day rank it first by units, and break the
    // CHF revenue tie with a2 and a3 by units; revenue is CHF only.
    expect(await ranked('units')).toEqual([fixed.a1.id, fixed.a3.id, fixed.b1.id, fixed.a2.id]);
    expect(await ranked('revenue')).toEqual([fixed.b1.id, fixed.a1.id, fixed.a3.id, fixed.a2.id]);
    const chfTies = await figures(
      stats.top({
        from: '2025-03-12',
        to: '2025-03-12',
        currency: 'CHF',
        by: 'revenue',
        brandId: brands[0]?.id ?? '',
      }),
    );
    expect(chfTies.items.map((item) => item.modelId)).toEqual([fixed.a1.id, fixed.a3.id, fixed.a2.id]);
    const brandTies = await figures(
      stats.brand(brands[0]?.id ?? '', { from: '2025-03-12', to: '2025-03-12', currency: 'CHF' }),
    );
    expect(brandTies.models.map((m) => m.modelId)).toEqual([fixed.a3.id, first, second]);

    // The bucket whose only sale was deleted reads as zero, zero-filled like any empty day.
    const emptied = { from: '2025-02-19', to: '2025-02-21', currency: 'USD' };
    expect(await figures(stats.revenue(emptied))).toEqual({
      ...emptied,
      totalRevenue: '0.00',
      orders: 0,
      units: 0,
      averageOrderValue: null,
    });
    expect(await figures(stats.daily(emptied))).toEqual({
      ...emptied,
      days: ['2025-02-19', '2025-02-20', '2025-02-21'].map((date) => ({
        date,
        revenue: '0.00',
        orders: 0,
        units: 0,
      })),
    });
    expect(await figures(stats.top(emptied))).toMatchObject({ items: [] });
  });

  it('matches SQL on every endpoint over fixed and random ranges and currencies', async () => {
    const span = daysFrom(WINDOW.from, WINDOW.to);
    const cases: { range: Range; sendCurrency: boolean }[] = [];
    const add = (from: string, to: string, currency: string, sendCurrency = true) =>
      cases.push({ range: { from, to, currency }, sendCurrency });
    for (const currency of ['EUR', 'USD', 'JPY']) add(WINDOW.from, WINDOW.to, currency);
    add(WINDOW.from, WINDOW.to, 'EUR', false); // the reporting currency by default
    add('2024-12-28', '2025-01-04', rng.pick(['EUR', 'USD', 'JPY'])); // year boundary
    add('2025-01-29', '2025-02-02', rng.pick(['EUR', 'USD', 'JPY'])); // month boundary
    add('2024-11-01', '2025-03-31', 'CHF');
    add('2024-11-01', '2025-03-31', 'GBP');
    add('2025-03-01', '2025-03-31', 'KWD');
    add('2023-05-01', '2023-05-31', 'EUR'); // no sales at all
    const single = addDays(WINDOW.from, rng.int(0, span));
    add(single, single, rng.pick(['EUR', 'USD', 'JPY']));
    for (let i = 0; i < 4; i++) {
      const from = addDays(WINDOW.from, rng.int(-7, span + 7));
      add(from, addDays(from, rng.int(0, 45)), rng.pick(['EUR', 'EUR', 'USD', 'JPY']));
    }

    let compared = 0;
    let withSales = 0;
    let rounded = 0;
    for (const { range, sendCurrency } of cases) {
      const base = { from: range.from, to: range.to, currency: sendCurrency ? range.currency : undefined };
      const label = `seed ${SEED} ${JSON.stringify(base)}`;

      const revenue = await expectedRevenue(stack.sql, range);
      expect(await figures(stats.revenue(base), label), label).toEqual(revenue);
      if (revenue.orders > 0) withSales += 1;
      // Rounding mattered: the average times the orders is not the total.
      if (revenue.averageOrderValue !== null && revenue.orders > 1) {
        const cents = (amount: string) => BigInt(amount.replace('.', ''));
        if (cents(revenue.averageOrderValue) * BigInt(revenue.orders) !== cents(revenue.totalRevenue))
          rounded += 1;
      }
      expect(await figures(stats.daily(base), label), label).toEqual(await expectedDaily(stack.sql, range));
      compared += 2;

      const brandFilter = rng.pick(brands).id;
      for (const top of [
        { by: 'units' as const, limit: rng.int(1, 12) },
        { by: 'revenue' as const, limit: 50 },
        { by: rng.pick(['units', 'revenue'] as const), limit: rng.int(1, 3), brandId: brandFilter },
        { by: 'revenue' as const, limit: 50, brandId: brands[0]?.id },
      ]) {
        const what = `${label} top ${JSON.stringify(top)}`;
        expect(await figures(stats.top({ ...base, ...top }), what), what).toEqual(
          await expectedTop(stack.sql, { ...range, ...top }),
        );
        compared += 1;
      }

      for (const brand of brands) {
        const what = `${label} brand ${brand.id}`;
        expect(await figures(stats.brand(brand.id, base), what), what).toEqual(
          await expectedBrand(stack.sql, brand.id, range),
        );
        compared += 1;
      }

      // Every granularity for a sold model, one for the model that never sold.
      const perModel: [Model, Granularity][] = [
        ...GRANULARITIES.map((granularity): [Model, Granularity] => [
          rng.pick(models.slice(0, -1)),
          granularity,
        ]),
        [fixed.unsold, rng.pick(GRANULARITIES)],
      ];
      for (const [model, granularity] of perModel) {
        const what = `${label} model ${model.id} by ${granularity}`;
        expect(await figures(stats.modelSales(model.id, { ...base, granularity }), what), what).toEqual(
          await expectedModelSales(stack.sql, model.id, { ...range, granularity }),
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(withSales).toBeGreaterThanOrEqual(8); // the fixed ranges over the window and the hand-made sales
    expect(rounded).toBeGreaterThan(3);
  });

  it('labels periods like SQL over ten years (ISO weeks of 52 and 53 weeks) and three years of days', async () => {
    const model = fixed.a1.id;
    for (const granularity of ['week', 'month', 'year'] as const) {
      const range = { from: '2016-01-01', to: addDays('2016-01-01', 3659), currency: 'EUR' };
      expect(await figures(stats.modelSales(model, { ...range, granularity })), granularity).toEqual(
        await expectedModelSales(stack.sql, model, { ...range, granularity }),
      );
    }
    const days = { from: '2023-06-01', to: addDays('2023-06-01', 1097), currency: 'USD' };
    expect(await figures(stats.daily(days))).toEqual(await expectedDaily(stack.sql, days));
    expect(await figures(stats.modelSales(model, { ...days, granularity: 'day' }))).toEqual(
      await expectedModelSales(stack.sql, model, { ...days, granularity: 'day' }),
    );
  });

  it('treats ids case-insensitively, like the catalog: an upper-case id gives the same figures', async () => {
    const brand = brands[0];
    if (!brand) throw new Error('no brand');
    const range = { ...WINDOW, currency: 'EUR' };
    const lower = await figures(stats.brand(brand.id, range));
    expect(lower.totals.orders).toBeGreaterThan(0);
    expect(await figures(stats.brand(brand.id.toUpperCase(), range))).toEqual(lower);

    const top = (brandId: string) => stats.top({ ...range, limit: 50, brandId });
    const topLower = await figures(top(brand.id));
    expect(topLower.items.length).toBeGreaterThan(0);
    expect(await figures(top(brand.id.toUpperCase()))).toEqual(topLower);

    const sales = { ...range, granularity: 'month' as const };
    const modelLower = await figures(stats.modelSales(fixed.a1.id, sales));
    expect(await figures(stats.modelSales(fixed.a1.id.toUpperCase(), sales))).toEqual(modelLower);
  });

  it('accounts for every sale: the whole-range totals of all currencies add up to the sales table', async () => {
    let orders = 0;
    for (const currency of ['EUR', 'USD', 'JPY', 'GBP', 'CHF', 'KWD']) {
      const body = await figures(stats.revenue({ from: '2024-01-01', to: '2025-12-31', currency }));
      orders += body.orders;
    }
    expect(orders).toBe(insertedCount - deletedCount);
    // Names are the catalog's: the top over everything names every sold model as the catalog does.
    const top = await figures(stats.top({ from: WINDOW.from, to: WINDOW.to, limit: 50 }));
    expect(top.items).toHaveLength(models.length - 1);
    for (const item of top.items) {
      const model = expectData(
        await reader.GET('/models/{modelId}', { params: { path: { modelId: item.modelId } } }),
      );
      const brand = expectData(
        await reader.GET('/brands/{brandId}', { params: { path: { brandId: model.brandId } } }),
      );
      expect({ modelName: item.modelName, brandName: item.brandName }).toEqual({
        modelName: model.name,
        brandName: brand.name,
      });
    }
    expectProblem(await stats.brand(UNKNOWN_ID, WINDOW), 404);
  });
});
