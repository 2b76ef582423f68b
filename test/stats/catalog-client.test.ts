/**
 * CatalogClient with a fake source: the TTL (fake clock), shared calls, retries of fast failures, the timeout,
 * the circuit breaker (fake Date) and the stale fallback. Names are optional: no lookup ever rejects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CatalogBrand,
  CatalogClient,
  type CatalogClientOptions,
  type CatalogModel,
  type CatalogSource,
} from '../../lambdas/shared/catalog/catalog';
import { InternalCatalogSource } from '../../lambdas/shared/catalog/internal';

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

function clientWith(options: Partial<CatalogClientOptions> = {}) {
  const source = new FakeSource();
  const clock = { now: 1_000_000 };
  const client = new CatalogClient(source, {
    ttlMs: 1000,
    attempts: 3,
    timeoutMs: 1000,
    breakerThreshold: 1,
    breakerOpenMs: 10_000,
    maxEntries: 100,
    ...options,
    now: () => clock.now,
  });
  return { source, clock, client };
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

/** Moves the wall clock the breaker reads (Date) past its open window; the TTL clock is separate. */
function passBreakerWindow(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + ms + 1);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Class: CatalogClient', () => {
  describe('Method: model / brand (healthy source)', () => {
    it('answers from the cache within the TTL and asks the source again once it expires', async () => {
      const { source, clock, client } = clientWith({ ttlMs: 1000 });
      const first = { value: { id: 'm1', brandId: 'b', name: 'model m1' }, stale: false };
      expect(await client.model('m1')).toEqual(first);
      source.names.set('m1', 'renamed');
      clock.now += 999;
      expect(await client.model('m1')).toEqual(first);
      expect(source.calls).toHaveLength(1);

      clock.now += 2;
      expect(await client.model('m1')).toEqual({ ...first, value: { ...first.value, name: 'renamed' } });
      expect(source.calls).toHaveLength(2);
    });

    it('lets entries expire at once when the TTL is 0 (lru-cache alone would keep them forever)', async () => {
      const { source, clock, client } = clientWith({ ttlMs: 0 });
      await client.model('m1');
      clock.now += 2;
      await client.model('m1');
      expect(source.calls).toHaveLength(2);
    });

    it('shares one source call among concurrent lookups of the same id', async () => {
      const { source, client } = clientWith();
      const answers = await Promise.all([client.brand('b1'), client.brand('b1'), client.brand('b1')]);
      expect(answers.map((answer) => answer.value?.name)).toEqual(['brand b1', 'brand b1', 'brand b1']);
      expect(source.calls).toHaveLength(1);
    });

    it('keeps models and brands apart even with the same id', async () => {
      const { source, client } = clientWith();
      expect((await client.model('x')).value?.name).toBe('model x');
      expect((await client.brand('x')).value?.name).toBe('brand x');
      expect(source.calls.map((call) => call.kind)).toEqual(['model', 'brand']);
    });

    it('does not cache not-found: an id created a moment later is found at once', async () => {
      const { source, client } = clientWith({ ttlMs: 60_000 });
      source.behaviour = 'null';
      expect(await client.model('new')).toEqual({ value: null, stale: false });
      expect(await client.model('new')).toEqual({ value: null, stale: false });
      source.behaviour = 'ok';
      expect((await client.model('new')).value?.name).toBe('model new');
      expect(source.calls).toHaveLength(3);
    });

    it('holds at most maxEntries, evicting the least recently used', async () => {
      const { source, client } = clientWith({ maxEntries: 2 });
      await client.model('a');
      await client.model('b');
      await client.model('c');
      await client.model('c');
      await client.model('b');
      expect(source.calls).toHaveLength(3);
      await client.model('a');
      expect(source.calls).toHaveLength(4);
    });
  });

  describe('Method: model / brand (failing or hanging source)', () => {
    it('retries a fast failure up to `attempts` calls, then answers null marked stale (never rejects)', async () => {
      const { source, client } = clientWith({ attempts: 3 });
      source.behaviour = 'fail';
      expect(await client.brand('b1')).toEqual({ value: null, stale: true });
      expect(source.calls).toHaveLength(3);
    });

    it('recovers within the attempts when the source comes back', async () => {
      const { source, client } = clientWith({ attempts: 3 });
      let failures = 2;
      const real = source.model.bind(source);
      source.model = (id, signal) => {
        if (failures-- > 0) {
          source.calls.push({ kind: 'model', id, signal });
          return Promise.reject(new Error('blip'));
        }
        return real(id, signal);
      };
      expect(await client.model('m1')).toEqual({
        value: { id: 'm1', brandId: 'b', name: 'model m1' },
        stale: false,
      });
      expect(source.calls).toHaveLength(3);
    });

    it('never retries a timeout: one aborted call, then null marked stale', async () => {
      const { source, client } = clientWith({ attempts: 3, timeoutMs: 40 });
      source.behaviour = 'hang';
      expect(await within(client.model('m1'), 3000)).toEqual({ value: null, stale: true });
      expect(source.calls).toHaveLength(1);
      expect(source.calls[0]?.signal.aborted).toBe(true);
    });

    it('enforces the timeout even when the source never settles and ignores the signal', async () => {
      const { source, client } = clientWith({ timeoutMs: 40 });
      source.behaviour = 'hang-ignoring-signal';
      expect(await within(client.model('m1'), 3000)).toEqual({ value: null, stale: true });
      expect(source.calls).toHaveLength(1);
    });

    it('answers with the expired cached entry, marked stale, while the source fails or hangs', async () => {
      const { source, clock, client } = clientWith({ ttlMs: 1000, attempts: 2, timeoutMs: 40 });
      expect(await client.brand('b1')).toEqual({ value: { id: 'b1', name: 'brand b1' }, stale: false });
      clock.now += 5000;

      source.behaviour = 'fail';
      expect(await client.brand('b1')).toEqual({ value: { id: 'b1', name: 'brand b1' }, stale: true });
      source.behaviour = 'hang';
      expect(await within(client.brand('b1'), 3000)).toEqual({
        value: { id: 'b1', name: 'brand b1' },
        stale: true,
      });
    });

    it('tells every caller that joined a failed shared call that its answer is stale', async () => {
      const { source, clock, client } = clientWith({ attempts: 1, timeoutMs: 40 });
      await client.brand('b1');
      clock.now += 5000;
      source.behaviour = 'hang';
      const answers = await within(Promise.all([client.brand('b1'), client.brand('b1')]), 3000);
      expect(answers).toEqual([
        { value: { id: 'b1', name: 'brand b1' }, stale: true },
        { value: { id: 'b1', name: 'brand b1' }, stale: true },
      ]);
      expect(source.calls).toHaveLength(2);
    });

    it('treats a reply of the wrong shape as a failure of the catalog', async () => {
      const client = new CatalogClient(
        new InternalCatalogSource(async () => ({ statusCode: 200, body: '{}' })),
        {
          ttlMs: 1000,
          attempts: 1,
          timeoutMs: 100,
          breakerThreshold: 1,
          breakerOpenMs: 1000,
          maxEntries: 10,
        },
      );
      expect(await client.model('00000000-0000-4000-8000-000000000001')).toEqual({
        value: null,
        stale: true,
      });
    });
  });

  describe('Property: breakerState', () => {
    it('opens after `breakerThreshold` failed lookups and keeps every call away until the window passes', async () => {
      const { source, client } = clientWith({ attempts: 1, breakerThreshold: 2, breakerOpenMs: 10_000 });
      source.behaviour = 'fail';
      await client.model('a');
      expect(client.breakerState).toBe('closed');
      await client.model('b');
      expect(client.breakerState).toBe('open');
      expect(source.calls).toHaveLength(2);

      for (const id of ['c', 'd', 'e']) expect(await client.brand(id)).toEqual({ value: null, stale: true });
      expect(source.calls).toHaveLength(2);

      // After the window one trial call goes through; its success closes the breaker.
      source.behaviour = 'ok';
      passBreakerWindow(10_000);
      expect((await client.brand('c')).value?.name).toBe('brand c');
      expect(client.breakerState).toBe('closed');
      expect(source.calls).toHaveLength(3);
    });

    it('costs a hanging source one timeout per window: concurrent lookups share it, later ones skip it', async () => {
      const { source, client } = clientWith({ timeoutMs: 40, breakerOpenMs: 10_000 });
      source.behaviour = 'hang';
      const wave = await within(Promise.all(['a', 'b', 'c'].map((id) => client.model(id))), 3000);
      expect(wave.every((answer) => answer.stale)).toBe(true);
      expect(source.calls).toHaveLength(3);
      expect(client.breakerState).toBe('open');

      for (let i = 0; i < 50; i += 1) await client.model(`other-${i}`);
      expect(source.calls).toHaveLength(3);

      // A trial call that times out again opens the breaker for another window.
      passBreakerWindow(10_000);
      await within(Promise.all([client.model('x'), client.model('y')]), 3000);
      expect(source.calls).toHaveLength(4);
      expect(client.breakerState).toBe('open');
    });
  });
});
