/** Stats endpoints: query validation (400 problem+json with field paths), 404s, auth, and ETag / 304. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brand } from '../../lambdas/brand/schemas';
import type { Model } from '../../lambdas/model/schemas';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, expectProblem, problemPaths, tokenFor } from '../support/http';
import { addDays } from './oracle';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const RANGE = 'from=2025-03-01&to=2025-03-31';

let stack: LocalStack;
let admin: ApiClient;
let reader: ApiClient;
let brand: Brand;
let model: Model;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, projectorIntervalMs: 0 });
  admin = api(stack, await tokenFor(stack, 'demo-admin'));
  reader = api(stack, await tokenFor(stack, 'demo-reader'));
  brand = (await admin.post<Brand>('/brands', { name: 'Validation Brand' })).body;
  model = (await admin.post<Model>('/models', { brandId: brand.id, name: 'Validation Model' })).body;
  const response = await admin.post('/sales/batch', {
    sales: [
      { modelId: model.id, soldAt: '2025-03-02T10:00:00Z', quantity: 2, unitPrice: '100.00' },
      {
        modelId: model.id,
        soldAt: '2025-03-03T10:00:00Z',
        quantity: 1,
        unitPrice: '250.50',
        currency: 'USD',
      },
    ],
  });
  expect(response.status, response.text).toBe(201);
  await stack.projector.drain();
});

afterAll(async () => {
  await stack?.close();
});

/** Every stats operation, as a function of its query string. */
const endpoints = () => ({
  revenue: (query: string) => `/stats/revenue?${query}`,
  daily: (query: string) => `/stats/revenue/daily?${query}`,
  top: (query: string) => `/stats/models/top?${query}`,
  brand: (query: string) => `/stats/brands/${brand.id}?${query}`,
  modelSales: (query: string) => `/models/${model.id}/sales?${query}`,
});

async function expect400(path: string, paths: string[]) {
  const problem = expectProblem(await reader.get(path), 400);
  expect(problem.type, path).toMatch(/validation-error$/);
  expect(problemPaths(problem), path).toEqual(paths);
  return problem;
}

describe('query validation on every stats endpoint', () => {
  it('requires from and to', async () => {
    for (const [name, path] of Object.entries(endpoints())) {
      await expect400(path(''), ['query.from', 'query.to']);
      await expect400(path('from=2025-03-01'), ['query.to']);
      await expect400(path('to=2025-03-01'), ['query.from']);
      expect((await reader.get(path(RANGE))).status, name).toBe(200);
    }
  });

  it.each([
    ['2025-3-01'],
    ['20250301'],
    ['2025-02-29'], // not a leap year
    ['2025-04-31'],
    ['2025-13-01'],
    ['2025-03-01T00:00:00Z'],
    ['yesterday'],
    [''],
  ])('rejects the date %j, reported once, at its own field', async (date) => {
    const encoded = encodeURIComponent(date);
    await Promise.all(
      Object.values(endpoints()).flatMap((path) => [
        expect400(path(`from=${encoded}&to=2025-03-31`), ['query.from']),
        expect400(path(`from=2025-01-01&to=${encoded}`), ['query.to']),
      ]),
    );
  });

  it('accepts a leap day and a single-day range', async () => {
    for (const path of Object.values(endpoints())) {
      expect((await reader.get(path('from=2024-02-29&to=2024-02-29'))).status).toBe(200);
    }
  });

  it('rejects an inverted range', async () => {
    for (const path of Object.values(endpoints())) {
      const problem = await expect400(path('from=2025-03-02&to=2025-03-01'), ['query.from']);
      expect(problem.errors?.[0]?.message).toMatch(/after/);
    }
  });

  it('accepts up to 1098 days (3 × 366) and rejects 1099', async () => {
    const from = '2023-01-01';
    const longest = addDays(from, 1097); // inclusive: 1098 days
    const tooLong = addDays(from, 1098);
    for (const path of Object.values(endpoints())) {
      const ok = await reader.get(path(`from=${from}&to=${longest}`));
      expect(ok.status, ok.text).toBe(200);
      await expect400(path(`from=${from}&to=${tooLong}`), ['query.to']);
    }
    const daily = await reader.get<{ days: unknown[] }>(endpoints().daily(`from=${from}&to=${longest}`));
    expect(daily.body.days).toHaveLength(1098);
  });

  it('bounds coarser per-model granularities at 3660 days (10 × 366)', async () => {
    const from = '2020-01-01';
    for (const granularity of ['week', 'month', 'year']) {
      const ok = await reader.get(
        endpoints().modelSales(`from=${from}&to=${addDays(from, 3659)}&granularity=${granularity}`),
      );
      expect(ok.status, ok.text).toBe(200);
      await expect400(
        endpoints().modelSales(`from=${from}&to=${addDays(from, 3660)}&granularity=${granularity}`),
        ['query.to'],
      );
    }
    await expect400(endpoints().modelSales(`from=${from}&to=${addDays(from, 1098)}&granularity=day`), [
      'query.to',
    ]);
  });

  it('rejects unknown query fields', async () => {
    for (const path of Object.values(endpoints())) {
      const problem = await expect400(path(`${RANGE}&foo=1`), ['query.foo']);
      expect(problem.errors?.[0]?.message).toBe('is not a known field');
    }
    // Fields of one endpoint are unknown to the others.
    await expect400(endpoints().revenue(`${RANGE}&by=units`), ['query.by']);
    await expect400(endpoints().daily(`${RANGE}&limit=5`), ['query.limit']);
    await expect400(endpoints().brand(`${RANGE}&granularity=day`), ['query.granularity']);
    await expect400(endpoints().top(`${RANGE}&granularity=day`), ['query.granularity']);
    await expect400(endpoints().modelSales(`${RANGE}&by=units`), ['query.by']);
  });

  it('rejects currencies that are not ISO 4217 codes in upper case', async () => {
    for (const path of Object.values(endpoints())) {
      for (const currency of ['eur', 'EURO', 'E', 'ABC', '']) {
        await expect400(path(`${RANGE}&currency=${currency}`), ['query.currency']);
      }
    }
  });

  it('accepts any ISO 4217 currency and answers in its minor unit', async () => {
    for (const [currency, zero] of [
      ['KWD', '0.000'],
      ['JPY', '0'],
      ['CHF', '0.00'],
    ]) {
      const revenue = await reader.get<{ asOf?: unknown }>(
        endpoints().revenue(`${RANGE}&currency=${currency}`),
      );
      expect(revenue.body).toEqual({
        asOf: revenue.body.asOf ?? null,
        from: '2025-03-01',
        to: '2025-03-31',
        currency,
        totalRevenue: zero,
        orders: 0,
        units: 0,
        averageOrderValue: null,
      });
      const daily = await reader.get<{ days: { revenue: string }[] }>(
        endpoints().daily(`${RANGE}&currency=${currency}`),
      );
      expect(new Set(daily.body.days.map((day) => day.revenue))).toEqual(new Set([zero]));
    }
  });

  it('validates by, limit and brandId of the top models', async () => {
    const top = endpoints().top;
    for (const by of ['price', 'UNITS', 'orders', ''])
      await expect400(top(`${RANGE}&by=${by}`), ['query.by']);
    for (const limit of ['0', '51', '-1', '1.5', 'ten', ''])
      await expect400(top(`${RANGE}&limit=${limit}`), ['query.limit']);
    for (const brandId of ['nope', '123', UNKNOWN_ID.slice(1)])
      await expect400(top(`${RANGE}&brandId=${brandId}`), ['query.brandId']);
    await expect400(top(`${RANGE}&by=x&limit=0&brandId=x`), ['query.brandId', 'query.by', 'query.limit']);

    for (const limit of ['1', '50', '07']) {
      const ok = await reader.get(top(`${RANGE}&limit=${limit}`));
      expect(ok.status, ok.text).toBe(200);
    }
    const defaults = await reader.get<{ by: string; brandId: null; currency: string }>(top(RANGE));
    expect(defaults.body).toMatchObject({ by: 'units', brandId: null, currency: 'EUR' });
  });

  it('validates path ids and the granularity', async () => {
    await expect400(`/stats/brands/not-a-uuid?${RANGE}`, ['path.brandId']);
    await expect400(`/models/not-a-uuid/sales?${RANGE}`, ['path.modelId']);
    for (const granularity of ['quarter', 'Day', 'days', ''])
      await expect400(endpoints().modelSales(`${RANGE}&granularity=${granularity}`), ['query.granularity']);
  });

  it('404s an unknown brand or model, and returns an empty ranking for an unknown brand filter', async () => {
    expect(expectProblem(await reader.get(`/stats/brands/${UNKNOWN_ID}?${RANGE}`), 404).type).toMatch(
      /not-found$/,
    );
    expectProblem(await reader.get(`/models/${UNKNOWN_ID}/sales?${RANGE}`), 404);
    const top = await reader.get<{ items: unknown[] }>(endpoints().top(`${RANGE}&brandId=${UNKNOWN_ID}`));
    expect(top.status, top.text).toBe(200);
    expect(top.body.items).toEqual([]);
  });

  it('needs a token with the read scope', async () => {
    const anonymous = api(stack);
    for (const path of Object.values(endpoints())) expectProblem(await anonymous.get(path(RANGE)), 401);
    const bad = api(stack, 'not-a-token');
    expectProblem(await bad.get(endpoints().revenue(RANGE)), 401);
  });
});

describe('ETag and If-None-Match on every stats endpoint', () => {
  it('answers 304 with the same ETag and no body when If-None-Match matches', async () => {
    for (const [name, path] of Object.entries(endpoints())) {
      const first = await reader.get(path(RANGE));
      expect(first.status, first.text).toBe(200);
      const etag = first.headers.get('etag');
      expect(etag, name).toMatch(/^"[\w-]+"$/);

      // Same request, same representation, same ETag.
      const again = await reader.get(path(RANGE));
      expect(again.headers.get('etag'), name).toBe(etag);
      expect(again.text).toBe(first.text);

      for (const header of [etag ?? '', `W/${etag}`, `"other", ${etag}`, '*']) {
        const notModified = await reader.get(path(RANGE), { 'if-none-match': header });
        expect(notModified.status, `${name} ${header}`).toBe(304);
        expect(notModified.text).toBe('');
        expect(notModified.headers.get('etag')).toBe(etag);
      }
      const modified = await reader.get(path(RANGE), { 'if-none-match': '"something-else"' });
      expect(modified.status, name).toBe(200);
      expect(modified.text).toBe(first.text);
    }
  });

  it('changes the ETag with the query and never answers 304 to an error', async () => {
    const revenue = endpoints().revenue;
    const eur = await reader.get(revenue(RANGE));
    const usd = await reader.get(revenue(`${RANGE}&currency=USD`));
    expect(usd.status).toBe(200);
    expect(usd.headers.get('etag')).not.toBe(eur.headers.get('etag'));
    const explicitEur = await reader.get(revenue(`${RANGE}&currency=EUR`));
    expect(explicitEur.headers.get('etag')).toBe(eur.headers.get('etag'));

    expectProblem(await reader.get(revenue('from=2025-03-02&to=2025-03-01'), { 'if-none-match': '*' }), 400);
    expectProblem(await reader.get(`/stats/brands/${UNKNOWN_ID}?${RANGE}`, { 'if-none-match': '*' }), 404);
  });

  it('gives a new ETag once a sale in the range changes the figures', async () => {
    const paths = Object.values(endpoints()).map((path) => path(RANGE));
    const before = await Promise.all(paths.map((path) => reader.get(path)));
    const created = await admin.post<{ id: string }>('/sales', {
      modelId: model.id,
      soldAt: '2025-03-15T08:00:00Z',
      quantity: 1,
      unitPrice: '99.99',
    });
    expect(created.status, created.text).toBe(201);
    await stack.projector.drain();
    for (const [i, path] of paths.entries()) {
      const etag = before[i]?.headers.get('etag') ?? '';
      const after = await reader.get(path, { 'if-none-match': etag });
      expect(after.status, path).toBe(200);
      expect(after.headers.get('etag'), path).not.toBe(etag);
    }
    // A sale in another currency or outside the range leaves the EUR March figures alone (but for the units and
    // orders of the top models, which count every currency): the ETag moves only if `asOf` moved with the drain.
    const march = await Promise.all(paths.map((path) => reader.get<{ asOf?: string }>(path)));
    const elsewhere = await admin.post('/sales/batch', {
      sales: [
        { modelId: model.id, soldAt: '2025-03-15T08:00:00Z', quantity: 1, unitPrice: '5', currency: 'JPY' },
        { modelId: model.id, soldAt: '2025-04-01T00:00:00Z', quantity: 1, unitPrice: '5.00' },
      ],
    });
    expect(elsewhere.status, elsewhere.text).toBe(201);
    await stack.projector.drain();
    for (const [i, path] of paths.entries()) {
      const response = await reader.get<{ asOf?: string }>(path, {
        'if-none-match': march[i]?.headers.get('etag') ?? '',
      });
      if (response.status === 304) continue;
      expect(response.status, path).toBe(200);
      const { asOf: before, ...figuresBefore } = march[i]?.body ?? {};
      const { asOf: after, ...figuresAfter } = response.body;
      if (path.startsWith('/stats/models/top')) {
        expect(figuresAfter, path).not.toEqual(figuresBefore); // the JPY sale's units and order
        continue;
      }
      expect(figuresAfter, path).toEqual(figuresBefore);
      expect(after, path).not.toBe(before);
    }
  });
});
