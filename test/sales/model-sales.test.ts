import { describe, expect } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import { expectData, expectProblem, expectStatus, problemPaths, rawOf } from '../support/api';
import { raw, stackTest } from '../support/fixtures';
import { type SaleInput, saleOf, UNKNOWN_ID } from '../support/sales';
import {
  createModel,
  deleteSale,
  type ModelSalesQuery,
  modelSales,
  postBatch,
  postSale,
} from '../support/sales-client';

let admin: ApiClient;
let writer: ApiClient;
let reader: ApiClient;
let model: Schemas['Model'];

const sale = (soldAt: string, quantity: number, unitPrice: string, currency = 'EUR'): Partial<SaleInput> => ({
  soldAt,
  quantity,
  unitPrice,
  currency,
});

const test = stackTest({ projectorIntervalMs: 0 });

test.beforeAll(async ({ admin: all, writer: write, reader: read }) => {
  admin = all;
  writer = write;
  reader = read;
  model = await createModel(admin);
  const other = await createModel(admin, model.brandId); // same brand, must never leak into the model's figures
  const response = await postBatch(writer, [
    saleOf(model.id, sale('2025-03-01T08:00:00Z', 2, '100.10')),
    saleOf(model.id, sale('2025-03-01', 1, '50.05')),
    saleOf(model.id, sale('2025-03-03T23:59:59.999Z', 4, '10')),
    saleOf(model.id, sale('2025-03-04T00:30:00+01:00', 1, '0.01')), // UTC 2025-03-03
    saleOf(model.id, sale('2025-03-01T12:00:00Z', 7, '9.99', 'USD')),
    saleOf(model.id, sale('2025-03-02T12:00:00Z', 3, '1500', 'JPY')),
    saleOf(model.id, sale('2024-12-29', 6, '1')), // Sunday of 2024-W52
    saleOf(model.id, sale('2024-12-30', 1, '1000')), // Monday of 2025-W01
    saleOf(model.id, sale('2025-01-05', 2, '1')), // Sunday of 2025-W01
    saleOf(model.id, sale('2025-01-06', 3, '1')), // Monday of 2025-W02
    saleOf(other.id, sale('2025-03-01', 100, '1')),
  ]);
  expectStatus(response, 201);
});

/** The answer without its `asOf` (how fresh it is; checked to be an instant once the projector has run). */
const figures = async (query: ModelSalesQuery) => {
  const { asOf, ...body } = expectData(await modelSales(reader, model.id, query));
  expect(asOf === null || !Number.isNaN(Date.parse(String(asOf)))).toBe(true);
  return body;
};
describe('GET /models/{modelId}/sales', () => {
  test('answers per day, zero-filled, with totals and the average per period (EUR by default)', async () => {
    const body = await figures({ from: '2025-02-28', to: '2025-03-04', granularity: 'day' });

    expect(body).toEqual({
      modelId: model.id,
      modelName: model.name,
      from: '2025-02-28',
      to: '2025-03-04',
      granularity: 'day',
      currency: 'EUR',
      totals: { units: 8, revenue: '290.26', orders: 4, averageUnitsPerPeriod: 1.6 },
      periods: [
        { period: '2025-02-28', units: 0, revenue: '0.00', orders: 0 },
        { period: '2025-03-01', units: 3, revenue: '250.25', orders: 2 },
        { period: '2025-03-02', units: 0, revenue: '0.00', orders: 0 },
        { period: '2025-03-03', units: 5, revenue: '40.01', orders: 2 },
        { period: '2025-03-04', units: 0, revenue: '0.00', orders: 0 },
      ],
      namesStale: false,
    });
    expect((await figures({ from: '2025-02-28', to: '2025-03-04' })).granularity).toBe('day');
  });

  test('answers per currency, in that currency’s minor units', async () => {
    const usd = await figures({ from: '2025-03-01', to: '2025-03-03', currency: 'USD' });
    expect(usd.totals).toEqual({ units: 7, revenue: '69.93', orders: 1, averageUnitsPerPeriod: 2.33 });
    expect(usd.periods.map((period) => period.revenue)).toEqual(['69.93', '0.00', '0.00']);

    const jpy = await figures({ from: '2025-03-01', to: '2025-03-03', currency: 'JPY' });
    expect(jpy.totals).toEqual({ units: 3, revenue: '4500', orders: 1, averageUnitsPerPeriod: 1 });
    expect(jpy.periods.map((period) => period.revenue)).toEqual(['0', '4500', '0']);

    const gbp = await figures({ from: '2025-03-01', to: '2025-03-03', currency: 'GBP' });
    expect(gbp.totals).toEqual({ units: 0, revenue: '0.00', orders: 0, averageUnitsPerPeriod: 0 });
  });

  test('answers per ISO week, across the year boundary', async () => {
    const body = await figures({ from: '2024-12-23', to: '2025-01-12', granularity: 'week' });

    expect(body.periods).toEqual([
      { period: '2024-W52', units: 6, revenue: '6.00', orders: 1 },
      { period: '2025-W01', units: 3, revenue: '1002.00', orders: 2 },
      { period: '2025-W02', units: 3, revenue: '3.00', orders: 1 },
    ]);
    expect(body.totals).toEqual({ units: 12, revenue: '1011.00', orders: 4, averageUnitsPerPeriod: 4 });
  });

  test('labels ISO weeks: 2025-03-01 is 2025-W09, 2024-12-30 is 2025-W01, 2021-01-03 is 2020-W53', async () => {
    const labels = async (from: string, to: string) =>
      (await figures({ from, to, granularity: 'week' })).periods.map((period) => period.period);

    expect(await labels('2025-03-01', '2025-03-03')).toEqual(['2025-W09', '2025-W10']);
    expect(await labels('2024-12-30', '2024-12-30')).toEqual(['2025-W01']);
    expect(await labels('2020-12-28', '2021-01-11')).toEqual(['2020-W53', '2021-W01', '2021-W02']);
    expect(await labels('2026-12-27', '2027-01-04')).toEqual(['2026-W52', '2026-W53', '2027-W01']);
  });

  test('counts only the days inside the range of a period that is cut by from or to', async () => {
    const body = await figures({ from: '2024-12-31', to: '2025-01-06', granularity: 'week' });

    expect(body.periods).toEqual([
      { period: '2025-W01', units: 2, revenue: '2.00', orders: 1 },
      { period: '2025-W02', units: 3, revenue: '3.00', orders: 1 },
    ]);
  });

  test('answers per month and per year, zero-filled', async () => {
    const months = await figures({ from: '2024-12-01', to: '2025-03-31', granularity: 'month' });
    expect(months.periods).toEqual([
      { period: '2024-12', units: 7, revenue: '1006.00', orders: 2 },
      { period: '2025-01', units: 5, revenue: '5.00', orders: 2 },
      { period: '2025-02', units: 0, revenue: '0.00', orders: 0 },
      { period: '2025-03', units: 8, revenue: '290.26', orders: 4 },
    ]);
    expect(months.totals).toEqual({ units: 20, revenue: '1301.26', orders: 8, averageUnitsPerPeriod: 5 });

    const years = await figures({ from: '2023-01-01', to: '2025-12-31', granularity: 'year' });
    expect(years.periods).toEqual([
      { period: '2023', units: 0, revenue: '0.00', orders: 0 },
      { period: '2024', units: 7, revenue: '1006.00', orders: 2 },
      { period: '2025', units: 13, revenue: '295.26', orders: 6 },
    ]);
    expect(years.totals).toEqual({ units: 20, revenue: '1301.26', orders: 8, averageUnitsPerPeriod: 6.67 });
  });

  test('refuses bad queries with 400 naming the parameter', async () => {
    const problem = async (query: ModelSalesQuery) =>
      problemPaths(expectProblem(await modelSales(reader, model.id, query), 400));
    // Queries the typed client cannot send: an unknown granularity, no `from`, an unknown parameter.
    const rawProblem = async (query: string) =>
      problemPaths(expectProblem(await raw(reader).get(`/models/${model.id}/sales?${query}`), 400));

    expect(await problem({ from: '2025-03-02', to: '2025-03-01' })).toEqual(['query.from']);
    expect(await problem({ from: '2022-01-01', to: '2025-01-05', granularity: 'day' })).toEqual(['query.to']);
    expect(await problem({ from: '2015-01-01', to: '2025-12-31', granularity: 'month' })).toEqual([
      'query.to',
    ]);
    expect(await rawProblem('from=2025-03-01&to=2025-03-31&granularity=quarter')).toEqual([
      'query.granularity',
    ]);
    expect(await problem({ from: '2025-03-01', to: '2025-03-31', currency: 'ABC' })).toEqual([
      'query.currency',
    ]);
    expect(await problem({ from: '2025-02-30', to: '2025-03-31' })).toEqual(['query.from']);
    expect(await rawProblem('to=2025-03-31')).toEqual(['query.from']);
    expect(await rawProblem('from=2025-03-01&to=2025-03-31&extra=1')).toEqual(['query.extra']);
  });

  test('allows exactly the longest day range (3 × 366 days) and longer ones for coarser periods', async () => {
    const from = new Date(Date.parse('2025-03-31T00:00:00Z') - (3 * 366 - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);

    const longest = await figures({ from, to: '2025-03-31', granularity: 'day' });
    expect(longest.periods).toHaveLength(3 * 366);
    expect(longest.totals.units).toBe(20);
    const dayBefore = new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expectProblem(
      await modelSales(reader, model.id, { from: dayBefore, to: '2025-03-31', granularity: 'day' }),
      400,
    );
    expect((await figures({ from: '2016-01-01', to: '2025-12-31', granularity: 'week' })).totals.units).toBe(
      20,
    );
  });

  test('answers 404 to an unknown model and 400 to a malformed id', async () => {
    expectProblem(await modelSales(reader, UNKNOWN_ID, { from: '2025-03-01', to: '2025-03-31' }), 404);
    expectProblem(await modelSales(reader, 'nope', { from: '2025-03-01', to: '2025-03-31' }), 400);
  });

  test('answers If-None-Match with 304 while unchanged, and a new ETag after a new sale', async () => {
    const fresh = await createModel(admin);
    const query: ModelSalesQuery = { from: '2025-07-01', to: '2025-07-31', granularity: 'week' };
    expectStatus(await postSale(writer, saleOf(fresh.id, sale('2025-07-10', 1, '5'))), 201);
    const first = rawOf(await modelSales(reader, fresh.id, query));
    expectStatus(first, 200);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);

    const unchanged = rawOf(await modelSales(reader, fresh.id, query));
    expect(unchanged.headers.get('etag')).toBe(etag);
    const notModified = rawOf(await modelSales(reader, fresh.id, query, etag));
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');

    expectStatus(await postSale(writer, saleOf(fresh.id, sale('2025-07-11', 2, '5'))), 201);
    const changed = await modelSales(reader, fresh.id, query, etag);
    expect(expectData(changed).totals.units).toBe(3);
    expect(changed.response.headers.get('etag')).not.toBe(etag);
  });

  test('drops the figures after a delete, down to zero', async () => {
    const fresh = await createModel(admin);
    const created = expectData(
      await postBatch(writer, [
        saleOf(fresh.id, sale('2025-08-01', 2, '10.50')),
        saleOf(fresh.id, sale('2025-08-01', 3, '1.25')),
      ]),
      201,
    );
    const [a, b] = created.items as [Schemas['Sale'], Schemas['Sale']];
    const query: ModelSalesQuery = { from: '2025-08-01', to: '2025-08-01' };
    const current = async () => expectData(await modelSales(reader, fresh.id, query));
    expect((await current()).totals).toMatchObject({ units: 5, revenue: '24.75', orders: 2 });

    expectStatus(await deleteSale(writer, a.id), 204);
    expect((await current()).totals).toMatchObject({ units: 3, revenue: '3.75', orders: 1 });

    expectStatus(await deleteSale(admin, b.id), 204);
    expect((await current()).periods).toEqual([
      { period: '2025-08-01', units: 0, revenue: '0.00', orders: 0 },
    ]);
  });
});
