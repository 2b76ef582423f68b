/**
 * Names are optional in every stats answer. Over real HTTP on the local stack, with the brand and model
 * services' reads failing or hanging in SQL: stats and per-model endpoints answer 200 with the figures, null
 * (or expired) names and `namesStale: true`, never 503; a hanging catalog is called once per breaker window.
 * The TTL has its own fake clock and the breaker window is passed by moving Date, so nothing sleeps.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiClient, RawResponse, Schemas } from '../../client';
import type { Sql } from '../../lambdas/shared/sql/port';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { expectData, expectProblem, problemPaths, reply } from '../support/api';
import { clientOf, raw } from '../support/fixtures';
import { postBatch } from '../support/sales-client';

/** The catalog services' single-row reads (`Brands.get`, `Models.get`), not the sales service's checks. */
const CATALOG_READ = /\bFROM (brands|models) WHERE id = :id::uuid(?!\s+FOR UPDATE)/;

const faults = { mode: 'off' as 'off' | 'fail' | 'hang', reads: 0 };

function faultyCatalogReads(sql: Sql): Sql {
  return {
    query(text, params) {
      if (faults.mode !== 'off' && CATALOG_READ.test(text)) {
        faults.reads += 1;
        if (faults.mode === 'hang') return new Promise(() => {});
        return Promise.reject(new Error('injected: catalog database unavailable'));
      }
      return sql.query(text, params);
    },
    transaction: (work) => sql.transaction((tx) => work(faultyCatalogReads(tx))),
  };
}

const TTL_MS = 60_000;
const BREAKER_OPEN_MS = 60_000;
const RANGE = { from: '2025-01-01', to: '2025-01-31' };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const ttlClock = { now: 1_000_000 };

function failWith(mode: 'fail' | 'hang') {
  faults.mode = mode;
  faults.reads = 0;
}

/** Moves the wall clock the breaker reads past its open window (the TTL clock is separate). */
function passBreakerWindow() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + BREAKER_OPEN_MS + 1);
}

/** The same body with every name null: what a cold cache answers while the catalog is down. */
function withoutNames(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutNames);
  if (body === null || typeof body !== 'object') return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [
      key,
      key === 'namesStale' ? true : key.endsWith('Name') ? null : withoutNames(value),
    ]),
  );
}

/** One stats or per-model read of the reader, named for failure messages. */
interface Read {
  name: string;
  get: () => Promise<RawResponse>;
}

function expectOk(response: RawResponse, what: string) {
  expect(response.status, `${what}: ${response.text}`).toBe(200);
}

describe('stats without the catalog (local stack, real HTTP)', () => {
  let stack: LocalStack;
  let admin: ApiClient;
  let reader: ApiClient;
  let alpha: Schemas['Brand'];
  let models: Schemas['Model'][];
  let reads: Read[];

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      projectorIntervalMs: 0,
      catalog: {
        ttlMs: TTL_MS,
        attempts: 2,
        // Injected faults fail at once; the timeout only has to outlast a catalog read on a loaded machine.
        timeoutMs: 1000,
        breakerThreshold: 1,
        breakerOpenMs: BREAKER_OPEN_MS,
        now: () => ttlClock.now,
      },
      wrapSql: faultyCatalogReads,
    });
    admin = await clientOf(stack, 'demo-admin');
    reader = await clientOf(stack, 'demo-reader');
    const brand = async (name: string) => expectData(await admin.POST('/brands', { body: { name } }), 201);
    const model = async (brandId: string, name: string) =>
      expectData(await admin.POST('/models', { body: { brandId, name } }), 201);
    alpha = await brand('Alpha Motors');
    const beta = await brand('Beta Cars');
    models = [await model(alpha.id, 'A-One'), await model(alpha.id, 'A-Two'), await model(beta.id, 'B-One')];
    const sales = models.flatMap((m, i) =>
      Array.from({ length: i + 1 }, (_, k) => ({
        modelId: m.id,
        soldAt: `2025-01-${String(10 + k).padStart(2, '0')}T12:00:00Z`,
        quantity: [5, 2, 1][i] ?? 1, // units 5, 4, 3: a ranking without ties
        unitPrice: '1000.00',
      })),
    );
    expectData(await postBatch(admin, sales), 201);
    await stack.projector.drain();
    const brandId = alpha.id;
    const modelId = models[0]?.id ?? '';
    reads = [
      {
        name: 'top by units',
        get: async () =>
          reply(await reader.GET('/stats/models/top', { params: { query: { ...RANGE, by: 'units' } } })),
      },
      {
        name: 'top by revenue of a brand',
        get: async () =>
          reply(
            await reader.GET('/stats/models/top', {
              params: { query: { ...RANGE, by: 'revenue', brandId } },
            }),
          ),
      },
      {
        name: 'brand stats',
        get: async () =>
          reply(await reader.GET('/stats/brands/{brandId}', { params: { path: { brandId }, query: RANGE } })),
      },
      {
        name: 'model sales per week',
        get: async () =>
          reply(
            await reader.GET('/models/{modelId}/sales', {
              params: { path: { modelId }, query: { ...RANGE, granularity: 'week' } },
            }),
          ),
      },
      {
        name: 'revenue',
        get: async () => reply(await reader.GET('/stats/revenue', { params: { query: RANGE } })),
      },
      {
        name: 'daily revenue',
        get: async () => reply(await reader.GET('/stats/revenue/daily', { params: { query: RANGE } })),
      },
    ];
  });

  afterEach(() => {
    faults.mode = 'off';
    vi.useRealTimers();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers every stats and per-model endpoint with the figures and null names while the catalog fails, cache cold', async () => {
    failWith('fail');
    const cold = [];
    for (const read of reads) {
      const response = await read.get();
      expectOk(response, read.name);
      cold.push(response);
    }
    const unknownBrand = () =>
      reader.GET('/stats/brands/{brandId}', { params: { path: { brandId: UNKNOWN }, query: RANGE } });
    const unknownModel = () =>
      reader.GET('/models/{modelId}/sales', { params: { path: { modelId: UNKNOWN }, query: RANGE } });
    // An id the catalog cannot confirm or deny: the (empty) figures, not a 404 or a 503.
    const unknown = reply(await unknownBrand());
    expectOk(unknown, 'unknown brand');
    expect(unknown.body).toMatchObject({ brandName: null, models: [], namesStale: true });
    expectOk(reply(await unknownModel()), 'unknown model');
    expect(stack.catalog.breakerState).toBe('open');
    // The first failed lookup opened the breaker: the first request's lookups (5, 2 tries each)
    // reached the catalog, the other requests none.
    expect(faults.reads).toBeGreaterThan(0);
    expect(faults.reads).toBeLessThanOrEqual(5 * 2);

    // The catalog is back and the window has passed: the same figures, now with names.
    faults.mode = 'off';
    passBreakerWindow();
    for (const [i, read] of reads.entries()) {
      const fresh = await read.get();
      expectOk(fresh, read.name);
      expect(cold[i]?.body, read.name).toEqual(withoutNames(fresh.body));
      // Different body, different ETag: a client holding a name-less answer gets the names, not a 304.
      const named = JSON.stringify(fresh.body).includes('Name"');
      expect(cold[i]?.headers.get('etag') === fresh.headers.get('etag'), read.name).toBe(!named);
    }
    const top = expectData(
      await reader.GET('/stats/models/top', { params: { query: { ...RANGE, by: 'units' } } }),
    );
    expect(top.namesStale).toBe(false);
    expect(top.items.map((item) => item.modelName)).toEqual(['A-One', 'A-Two', 'B-One']);
    expectProblem(await unknownBrand(), 404);
    expectProblem(await unknownModel(), 404);
  });

  it('serves expired names marked stale, and calls a hanging catalog once per breaker window for 50 requests', async () => {
    const read = (i: number) => {
      const chosen = reads[i % 4];
      if (!chosen) throw new Error('expected four reads');
      return chosen.get();
    };
    const warm = await read(0);
    expectOk(warm, 'warm');
    ttlClock.now += TTL_MS + 1;
    failWith('hang');

    const answers: RawResponse[] = [];
    for (let i = 0; i < 50; i += 1) answers.push(await read(i));
    for (const answer of answers) {
      expectOk(answer, 'during the hang');
      expect(answer.body).toMatchObject({ namesStale: true });
    }
    // The expired names are still served, marked stale.
    expect(answers[0]?.body).toEqual({ ...(warm.body as object), namesStale: true });
    // Only the first request's lookups (3 models and 2 brands, in parallel) waited for the timeout; the
    // breaker kept the other 49 requests away from the catalog.
    expect(faults.reads).toBe(5);
    expect(stack.catalog.breakerState).toBe('open');

    // Next window: one trial call, which hangs again and reopens the breaker.
    passBreakerWindow();
    for (let i = 0; i < 10; i += 1) expectOk(await read(i), 'next window');
    expect(faults.reads).toBe(6);
  });

  it('does not take an API request shaped like the internal lookup as one', async () => {
    const lookalike = { op: 'get', id: alpha.id };
    // Bodies and query parameters outside the spec, sent raw on purpose.
    expectProblem(await raw(admin).post('/brands', lookalike), 400);
    expectProblem(await raw(admin).patch(`/brands/${alpha.id}`, lookalike), 400);
    // A read refuses query parameters it does not take (one rule on every route): never a lookup reply.
    const read = await raw(reader).get(`/brands/${alpha.id}?op=get&id=${alpha.id}`);
    expect(problemPaths(expectProblem(read, 400)).sort()).toEqual(['query.id', 'query.op']);
    expect(read.body).not.toHaveProperty('item');
  });
});
