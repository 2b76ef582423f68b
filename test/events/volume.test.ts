/**
 * 20,000 sales events over real HTTP through the embedded queue, with repeated externalIds, unknown models,
 * injected worker crashes (mid-batch, and after the commit before the delete) and a database outage while
 * the worker runs. Every accepted event ends stored exactly once or rejected with a reason, none stays
 * pending, and the per-model, brand and all-sales buckets equal SQL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect } from 'vitest';
import type { Schemas } from '../../client';
import type { SqsHandler } from '../../local/queue-poller';
import { expectedBrand, expectedModelSales, expectedRevenue } from '../stats/oracle';
import { expectData } from '../support/api';
import { stackTest } from '../support/fixtures';
import { switchableOutage } from '../support/outage';

type Brand = Schemas['Brand'];
type Model = Schemas['Model'];

const REQUESTS = 40;
const PER_REQUEST = 500;
const UNKNOWN_MODEL = '00000000-0000-4000-8000-0000000000ff';
const RANGE = { from: '2025-01-01', to: '2025-12-31', currency: 'EUR' };

const outage = switchableOutage();
const crashes = { invocations: 0, midBatch: 0, afterCommit: 0 };

/**
 * Every 5th invocation stores only the first half of its records and then dies (mid-batch); every 7th stores
 * them all and dies before the poller deletes them. Either way every record of the batch comes back.
 */
function crashing(handler: SqsHandler): SqsHandler {
  return async (event, context) => {
    crashes.invocations += 1;
    const n = crashes.invocations;
    if (n % 5 === 0 && event.Records.length > 1) {
      await handler({ Records: event.Records.slice(0, Math.ceil(event.Records.length / 2)) }, context);
      crashes.midBatch += 1;
      throw new Error('injected: worker crashed mid-batch');
    }
    const response = await handler(event, context);
    if (n % 7 === 0) {
      crashes.afterCommit += 1;
      throw new Error('injected: worker crashed after the commit, before the delete');
    }
    return response;
  };
}

const isRepeat = (i: number) => i >= 550 && i % 100 === 50;

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T);
      }
    }),
  );
  return results;
}

/** A stats answer without `asOf` (how fresh it is): after the drain, an instant. */
function figuresOf(body: unknown): unknown {
  const { asOf, ...figures } = body as { asOf?: unknown };
  expect(typeof asOf === 'string' && !Number.isNaN(Date.parse(asOf))).toBe(true);
  return figures;
}

const test = stackTest({
  projectorIntervalMs: 0,
  wrapSql: outage.wrap,
  wrapIngestHandler: crashing,
  ingest: {
    // A delivery must finish within the visibility timeout (as a Lambda within its timeout), or it is
    // delivered again while still running: 2 messages of 500 events take a second or two here.
    visibilityTimeoutSeconds: 10,
    batchSize: 2,
    breakerThreshold: 1,
    breakerOpenMs: 1000,
    maxReceiveCount: 50,
  },
});

describe('20,000 events through the queue with crashes and a database outage', () => {
  const brands: Brand[] = [];
  const models: Model[] = [];

  test.beforeAll(async ({ admin }) => {
    for (const name of ['Volume Motors', 'Burst Cars'])
      brands.push(expectData(await admin.POST('/brands', { body: { name } }), 201));
    for (let i = 0; i < 10; i += 1) {
      const brand = brands[i % 2] as Brand;
      models.push(
        expectData(await admin.POST('/models', { body: { brandId: brand.id, name: `V-${i}` } }), 201),
      );
    }
  }, 120_000);

  afterAll(() => {
    outage.on = false;
  });

  test('stores every accepted event exactly once or rejects it with a reason', async ({
    stack,
    writer,
    reader,
  }) => {
    /**
     * Event i: every 50th names an unknown model; every 4th carries externalId `ext-<i>`; from the second
     * request on, those at i % 100 = 50 repeat the externalId of event i - 550 (an earlier request's).
     */
    const event = (i: number) => ({
      modelId: i % 50 === 49 ? UNKNOWN_MODEL : (models[i % 10] as Model).id,
      soldAt: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z`,
      quantity: 1 + (i % 4),
      unitPrice: `${10_000 + (i % 997)}.${String(i % 100).padStart(2, '0')}`,
      ...(isRepeat(i) ? { externalId: `ext-${i - 550}` } : i % 4 === 0 ? { externalId: `ext-${i}` } : {}),
    });
    const ids: string[] = [];
    for (let r = 0; r < REQUESTS; r += 1) {
      // The database goes down a quarter of the way in; the queue keeps accepting meanwhile.
      if (r === REQUESTS / 4) outage.on = true;
      const events = Array.from({ length: PER_REQUEST }, (_, k) => event(r * PER_REQUEST + k));
      const accepted = expectData(await writer.POST('/sales/events', { body: { events } }), 202);
      ids.push(...accepted.items.map((item) => item.ingestionId));
    }
    expect(ids).toHaveLength(REQUESTS * PER_REQUEST);

    // The outage lasts until the worker's breaker has opened three times (its trial calls failing too).
    await waitFor('three breaker windows', () => stack.ingest.worker.breakerOpenings >= 3);
    outage.on = false;
    await stack.ingest.settled(600_000);
    await stack.projector.drain();
    expect(crashes.midBatch).toBeGreaterThan(0);
    expect(crashes.afterCommit).toBeGreaterThan(0);

    const statuses = await inParallel(ids, 16, async (ingestionId) =>
      expectData(await writer.GET('/sales/events/{ingestionId}', { params: { path: { ingestionId } } })),
    );
    expect(statuses.filter((status) => status.status === 'pending')).toEqual([]);

    const stored = statuses.flatMap((status) =>
      status.status === 'stored' && status.saleId ? [status.saleId] : [],
    );
    expect(new Set(stored).size).toBe(stored.length);
    const { rows: counted } = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
    expect(counted[0]?.n).toBe(stored.length);

    // Unknown models: rejected as 422. A repeated externalId: one of the two stored, the other names it.
    statuses.forEach((status, i) => {
      if (i % 50 === 49) expect(status).toMatchObject({ status: 'rejected', reason: { status: 422 } });
    });
    let repeats = 0;
    for (let i = 0; i < ids.length; i += 1) {
      if (!isRepeat(i)) continue;
      repeats += 1;
      const pair = [statuses[i - 550], statuses[i]];
      const storedOne = pair.find((status) => status?.status === 'stored');
      const rejectedOne = pair.find((status) => status?.status === 'rejected');
      expect(storedOne, `pair ${i}`).toBeDefined();
      expect(rejectedOne?.reason).toMatchObject({ status: 409, existingSaleId: storedOne?.saleId });
    }
    expect(repeats).toBe(195);
    expect(stored.length).toBe(ids.length - ids.length / 50 - repeats);

    // The buckets the stats read equal SQL for every model, brand and all sales.
    for (const model of models) {
      const answer = await reader.GET('/models/{modelId}/sales', {
        params: { path: { modelId: model.id }, query: { ...RANGE, granularity: 'month' } },
      });
      expect(figuresOf(expectData(answer))).toEqual(
        await expectedModelSales(stack.sql, model.id, { ...RANGE, granularity: 'month' }),
      );
    }
    for (const brand of brands) {
      const answer = await reader.GET('/stats/brands/{brandId}', {
        params: { path: { brandId: brand.id }, query: RANGE },
      });
      expect(figuresOf(expectData(answer))).toEqual(await expectedBrand(stack.sql, brand.id, RANGE));
    }
    const revenue = await reader.GET('/stats/revenue', { params: { query: RANGE } });
    expect(figuresOf(expectData(revenue))).toEqual(await expectedRevenue(stack.sql, RANGE));
  }, 900_000);
});
