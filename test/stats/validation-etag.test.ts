/** Stats endpoints: query validation (400 problem+json with field paths), 404s, auth, and ETag / 304. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createApiClient, type RawResponse, type Schemas } from '../../client';
import { type LocalStack, startLocalStack } from '../../local/stack';
import {
  type AnyResponse,
  expectData,
  expectProblem,
  expectStatus,
  problemPaths,
  rawOf,
} from '../support/api';
import { clientOf, raw } from '../support/fixtures';
import { postBatch, postSale } from '../support/sales-client';
import { addDays } from './oracle';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const RANGE = 'from=2025-03-01&to=2025-03-31';
const MARCH = { from: '2025-03-01', to: '2025-03-31' };

let stack: LocalStack;
let admin: ApiClient;
let reader: ApiClient;
let brand: Schemas['Brand'];
let model: Schemas['Model'];

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, projectorIntervalMs: 0 });
  admin = await clientOf(stack, 'demo-admin');
  reader = await clientOf(stack, 'demo-reader');
  brand = expectData(await admin.POST('/brands', { body: { name: 'Validation Brand' } }), 201);
  model = expectData(
    await admin.POST('/models', { body: { brandId: brand.id, name: 'Validation Model' } }),
    201,
  );
  const response = await postBatch(admin, [
    { modelId: model.id, soldAt: '2025-03-02T10:00:00Z', quantity: 2, unitPrice: '100.00' },
    {
      modelId: model.id,
      soldAt: '2025-03-03T10:00:00Z',
      quantity: 1,
      unitPrice: '250.50',
      currency: 'USD',
    },
  ]);
  expectStatus(response, 201);
  await stack.projector.drain();
});

afterAll(async () => {
  await stack?.close();
});

/** The query every stats operation takes. */
interface Range {
  from: string;
  to: string;
  currency?: string;
}

/** A stats operation: `path` of a hand-written query string (for requests outside the spec), `get` typed. */
interface Endpoint {
  path: (query: string) => string;
  get: (
    query: Range,
    ifNoneMatch?: string,
    client?: ApiClient,
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

const ifNoneMatch = (etag?: string) => (etag === undefined ? {} : { 'if-none-match': etag });

/** A stats answer, with its `asOf` apart (the bodies differ by operation); check the status first. */
const stamped = (result: AnyResponse) => rawOf(result) as RawResponse<{ asOf?: string | null }>;

/** Every stats operation. */
const endpoints = (): Record<'revenue' | 'daily' | 'top' | 'brand' | 'modelSales', Endpoint> => ({
  revenue: {
    path: (query) => `/stats/revenue?${query}`,
    get: (query, etag, client = reader) =>
      client.GET('/stats/revenue', { params: { query }, headers: ifNoneMatch(etag) }),
  },
  daily: {
    path: (query) => `/stats/revenue/daily?${query}`,
    get: (query, etag, client = reader) =>
      client.GET('/stats/revenue/daily', { params: { query }, headers: ifNoneMatch(etag) }),
  },
  top: {
    path: (query) => `/stats/models/top?${query}`,
    get: (query, etag, client = reader) =>
      client.GET('/stats/models/top', { params: { query }, headers: ifNoneMatch(etag) }),
  },
  brand: {
    path: (query) => `/stats/brands/${brand.id}?${query}`,
    get: (query, etag, client = reader) =>
      client.GET('/stats/brands/{brandId}', {
        params: { path: { brandId: brand.id }, query },
        headers: ifNoneMatch(etag),
      }),
  },
  modelSales: {
    path: (query) => `/models/${model.id}/sales?${query}`,
    get: (query, etag, client = reader) =>
      client.GET('/models/{modelId}/sales', {
        params: { path: { modelId: model.id }, query },
        headers: ifNoneMatch(etag),
      }),
  },
});

/** A 400 validation problem at exactly `paths`, for a typed result or a raw path (sent as is by the reader). */
async function expect400(request: string | AnyResponse, paths: string[], what = '') {
  const label = typeof request === 'string' ? request : what;
  const problem = expectProblem(typeof request === 'string' ? await raw(reader).get(request) : request, 400);
  expect(problem.type, label).toMatch(/validation-error$/);
  expect(problemPaths(problem), label).toEqual(paths);
  return problem;
}

// Requests by raw path (`raw(reader)` in `expect400`) are deliberately outside the spec: missing or malformed
// values, unknown fields, exact spellings of numbers.
describe('query validation on every stats endpoint', () => {
  it('requires from and to', async () => {
    for (const [name, endpoint] of Object.entries(endpoints())) {
      await expect400(endpoint.path(''), ['query.from', 'query.to']);
      await expect400(endpoint.path('from=2025-03-01'), ['query.to']);
      await expect400(endpoint.path('to=2025-03-01'), ['query.from']);
      expect(rawOf(await endpoint.get(MARCH)).status, name).toBe(200);
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
      Object.values(endpoints()).flatMap(({ path }) => [
        expect400(path(`from=${encoded}&to=2025-03-31`), ['query.from']),
        expect400(path(`from=2025-01-01&to=${encoded}`), ['query.to']),
      ]),
    );
  });

  it('accepts a leap day and a single-day range', async () => {
    for (const endpoint of Object.values(endpoints())) {
      expect(rawOf(await endpoint.get({ from: '2024-02-29', to: '2024-02-29' })).status).toBe(200);
    }
  });

  it('rejects an inverted range', async () => {
    for (const [name, endpoint] of Object.entries(endpoints())) {
      const problem = await expect400(
        await endpoint.get({ from: '2025-03-02', to: '2025-03-01' }),
        ['query.from'],
        name,
      );
      expect(problem.errors?.[0]?.message).toMatch(/after/);
    }
  });

  it('accepts up to 1098 days (3 × 366) and rejects 1099', async () => {
    const from = '2023-01-01';
    const longest = addDays(from, 1097); // inclusive: 1098 days
    const tooLong = addDays(from, 1098);
    for (const [name, endpoint] of Object.entries(endpoints())) {
      expectStatus(await endpoint.get({ from, to: longest }), 200);
      await expect400(await endpoint.get({ from, to: tooLong }), ['query.to'], name);
    }
    const daily = expectData(
      await reader.GET('/stats/revenue/daily', { params: { query: { from, to: longest } } }),
    );
    expect(daily.days).toHaveLength(1098);
  });

  it('bounds coarser per-model granularities at 3660 days (10 × 366)', async () => {
    const from = '2020-01-01';
    const sales = (to: string, granularity: 'day' | 'week' | 'month' | 'year') =>
      reader.GET('/models/{modelId}/sales', {
        params: { path: { modelId: model.id }, query: { from, to, granularity } },
      });
    for (const granularity of ['week', 'month', 'year'] as const) {
      expectStatus(await sales(addDays(from, 3659), granularity), 200);
      await expect400(await sales(addDays(from, 3660), granularity), ['query.to'], granularity);
    }
    await expect400(await sales(addDays(from, 1098), 'day'), ['query.to'], 'day');
  });

  it('rejects unknown query fields', async () => {
    for (const { path } of Object.values(endpoints())) {
      const problem = await expect400(path(`${RANGE}&foo=1`), ['query.foo']);
      expect(problem.errors?.[0]?.message).toBe('is not a known field');
    }
    // Fields of one endpoint are unknown to the others.
    await expect400(endpoints().revenue.path(`${RANGE}&by=units`), ['query.by']);
    await expect400(endpoints().daily.path(`${RANGE}&limit=5`), ['query.limit']);
    await expect400(endpoints().brand.path(`${RANGE}&granularity=day`), ['query.granularity']);
    await expect400(endpoints().top.path(`${RANGE}&granularity=day`), ['query.granularity']);
    await expect400(endpoints().modelSales.path(`${RANGE}&by=units`), ['query.by']);
  });

  it('rejects currencies that are not ISO 4217 codes in upper case', async () => {
    for (const { path } of Object.values(endpoints())) {
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
      const revenue = expectData(
        await reader.GET('/stats/revenue', { params: { query: { ...MARCH, currency } } }),
      );
      expect(revenue).toEqual({
        asOf: revenue.asOf ?? null,
        from: '2025-03-01',
        to: '2025-03-31',
        currency,
        totalRevenue: zero,
        orders: 0,
        units: 0,
        averageOrderValue: null,
      });
      const daily = expectData(
        await reader.GET('/stats/revenue/daily', { params: { query: { ...MARCH, currency } } }),
      );
      expect(new Set(daily.days.map((day) => day.revenue))).toEqual(new Set([zero]));
    }
  });

  it('validates by, limit and brandId of the top models', async () => {
    const top = endpoints().top.path;
    for (const by of ['price', 'UNITS', 'orders', ''])
      await expect400(top(`${RANGE}&by=${by}`), ['query.by']);
    for (const limit of ['0', '51', '-1', '1.5', 'ten', ''])
      await expect400(top(`${RANGE}&limit=${limit}`), ['query.limit']);
    for (const brandId of ['nope', '123', UNKNOWN_ID.slice(1)])
      await expect400(top(`${RANGE}&brandId=${brandId}`), ['query.brandId']);
    await expect400(top(`${RANGE}&by=x&limit=0&brandId=x`), ['query.brandId', 'query.by', 'query.limit']);

    for (const limit of [1, 50])
      expectStatus(await reader.GET('/stats/models/top', { params: { query: { ...MARCH, limit } } }), 200);
    expectStatus(await raw(reader).get(top(`${RANGE}&limit=07`)), 200); // a leading zero, spelled by hand
    const defaults = expectData(await reader.GET('/stats/models/top', { params: { query: MARCH } }));
    expect(defaults).toMatchObject({ by: 'units', brandId: null, currency: 'EUR' });
  });

  it('validates path ids and the granularity', async () => {
    await expect400(`/stats/brands/not-a-uuid?${RANGE}`, ['path.brandId']);
    await expect400(`/models/not-a-uuid/sales?${RANGE}`, ['path.modelId']);
    for (const granularity of ['quarter', 'Day', 'days', ''])
      await expect400(endpoints().modelSales.path(`${RANGE}&granularity=${granularity}`), [
        'query.granularity',
      ]);
  });

  it('404s an unknown brand or model, and returns an empty ranking for an unknown brand filter', async () => {
    const unknownBrand = await reader.GET('/stats/brands/{brandId}', {
      params: { path: { brandId: UNKNOWN_ID }, query: MARCH },
    });
    expect(expectProblem(unknownBrand, 404).type).toMatch(/not-found$/);
    expectProblem(
      await reader.GET('/models/{modelId}/sales', {
        params: { path: { modelId: UNKNOWN_ID }, query: MARCH },
      }),
      404,
    );
    const top = expectData(
      await reader.GET('/stats/models/top', { params: { query: { ...MARCH, brandId: UNKNOWN_ID } } }),
    );
    expect(top.items).toEqual([]);
  });

  it('needs a token with the read scope', async () => {
    const anonymous = createApiClient(stack.url);
    for (const endpoint of Object.values(endpoints()))
      expectProblem(await endpoint.get(MARCH, undefined, anonymous), 401);
    const bad = createApiClient(stack.url, 'not-a-token');
    expectProblem(await endpoints().revenue.get(MARCH, undefined, bad), 401);
  });
});

describe('ETag and If-None-Match on every stats endpoint', () => {
  it('answers 304 with the same ETag and no body when If-None-Match matches', async () => {
    for (const [name, endpoint] of Object.entries(endpoints())) {
      const first = rawOf(await endpoint.get(MARCH));
      expect(first.status, first.text).toBe(200);
      const etag = first.headers.get('etag');
      expect(etag, name).toMatch(/^"[\w-]+"$/);

      // Same request, same representation, same ETag.
      const again = rawOf(await endpoint.get(MARCH));
      expect(again.headers.get('etag'), name).toBe(etag);
      expect(again.text).toBe(first.text);

      for (const header of [etag ?? '', `W/${etag}`, `"other", ${etag}`, '*']) {
        const notModified = rawOf(await endpoint.get(MARCH, header));
        expect(notModified.status, `${name} ${header}`).toBe(304);
        expect(notModified.text).toBe('');
        expect(notModified.headers.get('etag')).toBe(etag);
      }
      const modified = rawOf(await endpoint.get(MARCH, '"something-else"'));
      expect(modified.status, name).toBe(200);
      expect(modified.text).toBe(first.text);
    }
  });

  it('changes the ETag with the query and never answers 304 to an error', async () => {
    const revenue = endpoints().revenue.get;
    const eur = rawOf(await revenue(MARCH));
    expect(eur.status, eur.text).toBe(200);
    const usd = rawOf(await revenue({ ...MARCH, currency: 'USD' }));
    expect(usd.status).toBe(200);
    expect(usd.headers.get('etag')).not.toBe(eur.headers.get('etag'));
    const explicitEur = rawOf(await revenue({ ...MARCH, currency: 'EUR' }));
    expect(explicitEur.headers.get('etag')).toBe(eur.headers.get('etag'));

    expectProblem(await revenue({ from: '2025-03-02', to: '2025-03-01' }, '*'), 400);
    expectProblem(
      await reader.GET('/stats/brands/{brandId}', {
        params: { path: { brandId: UNKNOWN_ID }, query: MARCH },
        headers: { 'if-none-match': '*' },
      }),
      404,
    );
  });

  it('gives a new ETag once a sale in the range changes the figures', async () => {
    const named = Object.entries(endpoints());
    const before = await Promise.all(named.map(async ([, endpoint]) => rawOf(await endpoint.get(MARCH))));
    for (const [i, response] of before.entries()) expect(response.status, named[i]?.[0]).toBe(200);
    const created = await postSale(admin, {
      modelId: model.id,
      soldAt: '2025-03-15T08:00:00Z',
      quantity: 1,
      unitPrice: '99.99',
    });
    expectStatus(created, 201);
    await stack.projector.drain();
    for (const [i, [name, endpoint]] of named.entries()) {
      const etag = before[i]?.headers.get('etag') ?? '';
      const after = rawOf(await endpoint.get(MARCH, etag));
      expect(after.status, name).toBe(200);
      expect(after.headers.get('etag'), name).not.toBe(etag);
    }
    // A sale in another currency or outside the range leaves the EUR March figures alone (but for the units and
    // orders of the top models, which count every currency): the ETag moves only if `asOf` moved with the drain.
    const march = await Promise.all(named.map(async ([, endpoint]) => stamped(await endpoint.get(MARCH))));
    for (const [i, response] of march.entries()) expect(response.status, named[i]?.[0]).toBe(200);
    const elsewhere = await postBatch(admin, [
      { modelId: model.id, soldAt: '2025-03-15T08:00:00Z', quantity: 1, unitPrice: '5', currency: 'JPY' },
      { modelId: model.id, soldAt: '2025-04-01T00:00:00Z', quantity: 1, unitPrice: '5.00' },
    ]);
    expectStatus(elsewhere, 201);
    await stack.projector.drain();
    for (const [i, [name, endpoint]] of named.entries()) {
      const response = stamped(await endpoint.get(MARCH, march[i]?.headers.get('etag') ?? ''));
      if (response.status === 304) continue;
      expect(response.status, name).toBe(200);
      const { asOf: before, ...figuresBefore } = march[i]?.body ?? {};
      const { asOf: after, ...figuresAfter } = response.body;
      if (name === 'top') {
        expect(figuresAfter, name).not.toEqual(figuresBefore); // the JPY sale's units and order
        continue;
      }
      expect(figuresAfter, name).toEqual(figuresBefore);
      expect(after, name).not.toBe(before);
    }
  });
});
