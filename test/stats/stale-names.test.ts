/**
 * Names in stats come from the catalog through CachedCatalog: a TTL cache, a bounded retry with a timeout per
 * call, and the expired cached answer (`namesStale: true`) when the catalog stays down. Unit tests with a fake
 * source and a fake clock, then end to end with catalog reads failing in SQL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brand } from '../../lambdas/brand/schemas';
import type { Model } from '../../lambdas/model/schemas';
import {
  CachedCatalog,
  type CatalogBrand,
  type CatalogModel,
  type CatalogSource,
} from '../../lambdas/shared/catalog/catalog';
import { UnavailableError } from '../../lambdas/shared/errors';
import type { Sql } from '../../lambdas/shared/sql/port';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, expectProblem, tokenFor } from '../support/http';

// ------------------------------------------------------------------------------------------------------------
// CachedCatalog with a fake source and a fake clock.

type Behaviour = 'ok' | 'null' | 'fail' | 'hang' | 'hang-ignoring-signal';

class FakeSource implements CatalogSource {
  behaviour: Behaviour = 'ok';
  names = new Map<string, string>();
  calls: { kind: 'model' | 'brand'; id: string; signal: AbortSignal }[] = [];

  model(id: string, signal: AbortSignal): Promise<CatalogModel | null> {
    this.calls.push({ kind: 'model', id, signal });
    return this.answer(signal, () => ({ id, brandId: 'b', name: this.names.get(id) ?? `model ${id}` }));
  }

  brand(id: string, signal: AbortSignal): Promise<CatalogBrand | null> {
    this.calls.push({ kind: 'brand', id, signal });
    return this.answer(signal, () => ({ id, name: this.names.get(id) ?? `brand ${id}` }));
  }

  private answer<T>(signal: AbortSignal, value: () => T): Promise<T | null> {
    switch (this.behaviour) {
      case 'ok':
        return Promise.resolve(value());
      case 'null':
        return Promise.resolve(null);
      case 'fail':
        return Promise.reject(new Error('catalog down'));
      case 'hang':
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        );
      case 'hang-ignoring-signal':
        return new Promise(() => {});
    }
  }
}

function catalogWith(options: {
  ttlMs?: number;
  attempts?: number;
  timeoutMs?: number;
  maxEntries?: number;
}) {
  const source = new FakeSource();
  const clock = { now: 1_000_000 };
  const catalog = new CachedCatalog(source, {
    ttlMs: 1000,
    attempts: 3,
    timeoutMs: 1000,
    ...options,
    now: () => clock.now,
  });
  return { source, clock, catalog };
}

/** Rejects if `promise` is still pending after `ms`: a hung lookup fails the test instead of the whole run. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms, undefined, { ref: false }).then(() => {
      throw new Error(`still pending after ${ms} ms`);
    }),
  ]);
}

describe('CachedCatalog (fake source, fake clock)', () => {
  it('answers from the cache within the TTL and asks the source again once it expires', async () => {
    const { source, clock, catalog } = catalogWith({ ttlMs: 1000 });
    expect(await catalog.model('m1')).toEqual({
      value: { id: 'm1', brandId: 'b', name: 'model m1' },
      stale: false,
    });
    source.names.set('m1', 'renamed');
    clock.now += 999;
    expect(await catalog.model('m1')).toEqual({
      value: { id: 'm1', brandId: 'b', name: 'model m1' },
      stale: false,
    });
    expect(source.calls).toHaveLength(1);

    clock.now += 1; // expiresAt is exclusive
    expect((await catalog.model('m1')).value?.name).toBe('renamed');
    expect(source.calls).toHaveLength(2);
    // The refreshed entry lives a full TTL from now.
    clock.now += 999;
    await catalog.model('m1');
    expect(source.calls).toHaveLength(2);
  });

  it('shares one source call among concurrent lookups of the same id', async () => {
    const { source, catalog } = catalogWith({});

    const answers = await Promise.all([catalog.brand('b1'), catalog.brand('b1'), catalog.brand('b1')]);

    expect(answers.map((answer) => answer.value?.name)).toEqual(['brand b1', 'brand b1', 'brand b1']);
    expect(source.calls).toHaveLength(1);
  });

  it('keeps models and brands apart even with the same id', async () => {
    const { source, catalog } = catalogWith({});
    expect((await catalog.model('x')).value?.name).toBe('model x');
    expect((await catalog.brand('x')).value?.name).toBe('brand x');
    expect(source.calls.map((call) => call.kind)).toEqual(['model', 'brand']);
  });

  it('retries a failing source at most `attempts` times, then 503s when nothing is cached', async () => {
    const { source, catalog } = catalogWith({ attempts: 3 });
    source.behaviour = 'fail';
    const error = await catalog.brand('b1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(source.calls).toHaveLength(3);

    const once = catalogWith({ attempts: 1 });
    once.source.behaviour = 'fail';
    await expect(once.catalog.brand('b1')).rejects.toBeInstanceOf(UnavailableError);
    expect(once.source.calls).toHaveLength(1);
  });

  it('recovers within the attempts when the source comes back', async () => {
    const { source, catalog } = catalogWith({ attempts: 3 });
    let failures = 2;
    const real = source.model.bind(source);
    source.model = (id, signal) => {
      if (failures-- > 0) {
        source.calls.push({ kind: 'model', id, signal });
        return Promise.reject(new Error('blip'));
      }
      return real(id, signal);
    };
    expect(await catalog.model('m1')).toEqual({
      value: { id: 'm1', brandId: 'b', name: 'model m1' },
      stale: false,
    });
    expect(source.calls).toHaveLength(3);
  });

  it('gives each call its own timeout signal, and gives up after attempts × timeout', async () => {
    const { source, catalog } = catalogWith({ attempts: 2, timeoutMs: 40 });
    source.behaviour = 'hang';
    const started = performance.now();
    await expect(within(catalog.model('m1'), 3000)).rejects.toBeInstanceOf(UnavailableError);
    const elapsed = performance.now() - started;
    expect(source.calls).toHaveLength(2);
    expect(source.calls.every((call) => call.signal.aborted)).toBe(true);
    expect(source.calls[0]?.signal).not.toBe(source.calls[1]?.signal);
    expect(elapsed).toBeGreaterThanOrEqual(2 * 40 - 5);
    expect(elapsed).toBeLessThan(2000);
  });

  it('enforces the timeout even when the source never settles and ignores the signal', async () => {
    const { source, catalog } = catalogWith({ attempts: 2, timeoutMs: 40 });
    source.behaviour = 'hang-ignoring-signal';
    await expect(within(catalog.model('m1'), 3000)).rejects.toBeInstanceOf(UnavailableError);
    expect(source.calls).toHaveLength(2);
  });

  it('falls back to the expired cached answer, marked stale, while the source fails or hangs', async () => {
    const { source, clock, catalog } = catalogWith({ ttlMs: 1000, attempts: 2, timeoutMs: 40 });
    expect(await catalog.brand('b1')).toEqual({ value: { id: 'b1', name: 'brand b1' }, stale: false });
    clock.now += 5000;

    source.behaviour = 'fail';
    expect(await catalog.brand('b1')).toEqual({ value: { id: 'b1', name: 'brand b1' }, stale: true });
    expect(source.calls).toHaveLength(1 + 2);
    // A stale answer does not refresh the entry: the next lookup tries the source again.
    expect(await catalog.brand('b1')).toEqual({ value: { id: 'b1', name: 'brand b1' }, stale: true });
    expect(source.calls).toHaveLength(1 + 2 + 2);

    source.behaviour = 'hang';
    expect(await within(catalog.brand('b1'), 3000)).toEqual({
      value: { id: 'b1', name: 'brand b1' },
      stale: true,
    });

    source.behaviour = 'ok';
    source.names.set('b1', 'renamed');
    expect(await catalog.brand('b1')).toEqual({ value: { id: 'b1', name: 'renamed' }, stale: false });
  });

  it('does not cache not-found: an id created a moment later is found at once', async () => {
    const { source, catalog } = catalogWith({ ttlMs: 60_000 });
    source.behaviour = 'null';
    expect(await catalog.model('new')).toEqual({ value: null, stale: false });
    expect(await catalog.model('new')).toEqual({ value: null, stale: false });
    expect(source.calls).toHaveLength(2);

    source.behaviour = 'ok';
    expect((await catalog.model('new')).value?.name).toBe('model new');
    expect(source.calls).toHaveLength(3);

    // And a not-found is no stale fallback: with the source down, an unknown id is unavailable.
    const other = catalogWith({ attempts: 1 });
    other.source.behaviour = 'null';
    await other.catalog.model('gone');
    other.source.behaviour = 'fail';
    await expect(other.catalog.model('gone')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('holds at most maxEntries, evicting the oldest', async () => {
    const { source, catalog } = catalogWith({ maxEntries: 2 });
    await catalog.model('a');
    await catalog.model('b');
    await catalog.model('c');
    expect(source.calls).toHaveLength(3);
    await catalog.model('c');
    await catalog.model('b');
    expect(source.calls).toHaveLength(3);
    await catalog.model('a');
    expect(source.calls).toHaveLength(4);
  });
});

// ------------------------------------------------------------------------------------------------------------
// End to end: the brand and model services' reads fail in SQL while a flag is on.

/** The catalog services' single-row reads (`Brands.get`, `Models.get`), not the sales service's checks. */
const CATALOG_READ = /\bFROM (brands|models) WHERE id = :id::uuid(?!\s+FOR UPDATE)/;

const faults = { on: false, injected: 0 };

function failingCatalogReads(sql: Sql): Sql {
  return {
    query(text, params) {
      if (faults.on && CATALOG_READ.test(text)) {
        faults.injected += 1;
        return Promise.reject(new Error('injected: catalog database unavailable'));
      }
      return sql.query(text, params);
    },
    transaction: (work) => sql.transaction((tx) => work(failingCatalogReads(tx))),
  };
}

const TTL_MS = 50;
const RANGE = 'from=2025-01-01&to=2025-01-31';

interface TopBody {
  items: { modelId: string; modelName: string | null; brandId: string; brandName: string | null }[];
  namesStale: boolean;
}
interface BrandBody {
  brandName: string | null;
  models: { modelId: string; modelName: string | null }[];
  namesStale: boolean;
}

describe('stale names end to end (catalog reads failing)', () => {
  let stack: LocalStack;
  let admin: ApiClient;
  let reader: ApiClient;
  let alpha: Brand;
  let beta: Brand;
  let uncached: Brand;
  let models: Model[];
  let uncachedModel: Model;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      projectorIntervalMs: 0,
      // Injected faults fail at once; the timeout only has to outlast a catalog read on a loaded machine.
      catalog: { ttlMs: TTL_MS, attempts: 2, timeoutMs: 1000 },
      wrapSql: failingCatalogReads,
    });
    admin = api(stack, await tokenFor(stack, 'demo-admin'));
    reader = api(stack, await tokenFor(stack, 'demo-reader'));
    const brand = async (name: string) => (await admin.post<Brand>('/brands', { name })).body;
    const model = async (brandId: string, name: string) =>
      (await admin.post<Model>('/models', { brandId, name })).body;
    alpha = await brand('Alpha Motors');
    beta = await brand('Beta Cars');
    uncached = await brand('Gamma Never Cached');
    models = [await model(alpha.id, 'A-One'), await model(alpha.id, 'A-Two'), await model(beta.id, 'B-One')];
    uncachedModel = await model(uncached.id, 'G-One');
    const sales = models.flatMap((m, i) =>
      Array.from({ length: i + 1 }, (_, k) => ({
        modelId: m.id,
        soldAt: `2025-01-${String(10 + k).padStart(2, '0')}T12:00:00Z`,
        quantity: [5, 2, 1][i] ?? 1, // units 5, 4, 3: a ranking without ties
        unitPrice: '1000.00',
      })),
    );
    const response = await admin.post('/sales/batch', { sales });
    expect(response.status, response.text).toBe(201);
    await stack.projector.drain();
  });

  afterAll(async () => {
    faults.on = false;
    await stack?.close();
  });

  it('serves expired names marked stale while the catalog fails, 503s what was never cached, recovers', async () => {
    const expectedNames = [
      { modelName: 'A-One', brandName: 'Alpha Motors' },
      { modelName: 'A-Two', brandName: 'Alpha Motors' },
      { modelName: 'B-One', brandName: 'Beta Cars' },
    ];
    // Warm the cache.
    const fresh = await reader.get<TopBody>(`/stats/models/top?${RANGE}&by=units`);
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body.namesStale).toBe(false);
    expect(fresh.body.items.map(({ modelName, brandName }) => ({ modelName, brandName }))).toEqual(
      expectedNames,
    );
    const freshBrand = await reader.get<BrandBody>(`/stats/brands/${alpha.id}?${RANGE}`);
    expect(freshBrand.status, freshBrand.text).toBe(200);
    expect(freshBrand.body.namesStale).toBe(false);
    const freshModel = await reader.get(`/models/${models[0]?.id}/sales?${RANGE}&granularity=week`);
    expect(freshModel.status, freshModel.text).toBe(200);

    // Expire it, then make the catalog fail.
    await sleep(TTL_MS * 3);
    faults.on = true;
    faults.injected = 0;

    const stale = await reader.get<TopBody>(`/stats/models/top?${RANGE}&by=units`);
    expect(stale.status, stale.text).toBe(200);
    expect(stale.body).toEqual({ ...fresh.body, namesStale: true });
    // Every distinct entry (3 models, 2 brands) was tried `attempts` (2) times before falling back.
    expect(faults.injected).toBeGreaterThanOrEqual(5 * 2);
    // Different body, different ETag: a client holding the fresh one does not get a 304 for stale names.
    expect(stale.headers.get('etag')).not.toBe(fresh.headers.get('etag'));

    const staleBrand = await reader.get<BrandBody>(`/stats/brands/${alpha.id}?${RANGE}`);
    expect(staleBrand.status, staleBrand.text).toBe(200);
    expect(staleBrand.body).toEqual({ ...freshBrand.body, namesStale: true });

    // The model's existence comes from its (stale) cached entry.
    const staleModel = await reader.get(`/models/${models[0]?.id}/sales?${RANGE}&granularity=week`);
    expect(staleModel.status, staleModel.text).toBe(200);
    expect(staleModel.body).toEqual(freshModel.body);

    // Never cached: an existing brand, an unknown id, a model: the catalog cannot answer, so 503 + Retry-After.
    for (const path of [
      `/stats/brands/${uncached.id}?${RANGE}`,
      `/stats/brands/00000000-0000-4000-8000-000000000000?${RANGE}`,
      `/models/${uncachedModel.id}/sales?${RANGE}`,
    ]) {
      const unavailable = await reader.get(path);
      expectProblem(unavailable, 503);
      expect(unavailable.headers.get('retry-after'), path).toMatch(/^\d+$/);
      expect(unavailable.headers.get('etag'), path).toBeNull();
    }

    // The catalog is back.
    faults.on = false;
    const recovered = await reader.get<TopBody>(`/stats/models/top?${RANGE}&by=units`);
    expect(recovered.status, recovered.text).toBe(200);
    expect(recovered.body).toEqual(fresh.body);
    expect(recovered.headers.get('etag')).toBe(fresh.headers.get('etag'));
    const gamma = await reader.get<BrandBody>(`/stats/brands/${uncached.id}?${RANGE}`);
    expect(gamma.status, gamma.text).toBe(200);
    expect(gamma.body).toMatchObject({ brandName: 'Gamma Never Cached', models: [], namesStale: false });
    const missing = await reader.get(`/stats/brands/00000000-0000-4000-8000-000000000000?${RANGE}`);
    expectProblem(missing, 404);
  });

  it('shows a rename once the cached name expires, and keeps serving the newest name it saw when stale', async () => {
    faults.on = false;
    const target = models[1];
    if (!target) throw new Error('no model');
    const renamed = await admin.patch(`/models/${target.id}`, { name: 'A-Two Renamed' });
    expect(renamed.status, renamed.text).toBe(200);

    await sleep(TTL_MS * 3);
    const fresh = await reader.get<TopBody>(`/stats/models/top?${RANGE}&by=revenue&brandId=${alpha.id}`);
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body.namesStale).toBe(false);
    expect(fresh.body.items.find((item) => item.modelId === target.id)?.modelName).toBe('A-Two Renamed');

    await sleep(TTL_MS * 3);
    faults.on = true;
    try {
      const stale = await reader.get<TopBody>(`/stats/models/top?${RANGE}&by=revenue&brandId=${alpha.id}`);
      expect(stale.status, stale.text).toBe(200);
      expect(stale.body).toEqual({ ...fresh.body, namesStale: true });
    } finally {
      faults.on = false;
    }
  });
});
