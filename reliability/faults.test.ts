/**
 * Fault injection through the stack's adapter seams (`wrapSql`, `wrapStore`):
 * - the database failing at any statement of a batch, an import or a delete → 503 with Retry-After, nothing written,
 *   and a retry with the same Idempotency-Key writes it exactly once;
 * - the database failing after the commit never turns written data into a 503;
 * - DynamoDB failing during projection → the write is still accepted, and a later drain converges exactly;
 * - the projector crashing between the DynamoDB write and the outbox delete → no double counting after a redrain;
 * - duplicate, concurrent and out-of-order projector runs → exact;
 * - a retried POST whose first response was lost → exactly one sale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Brand } from '../lambdas/brand/schemas';
import type { Model } from '../lambdas/model/schemas';
import type { Sale } from '../lambdas/sales/schemas';
import type { OutboxEntry } from '../lambdas/shared/projection/projector';
import { type LocalStack, startLocalStack } from '../local/stack';
import { type ApiClient, type ApiResponse, api, tokenFor } from '../test/support/http';
import { dynamoDown, gate, jitter, SqlFaults, StoreFaults } from './support/faults';
import { expectProblemShape, sendRaw } from './support/http';
import { expectConverged, fingerprint, rowCounts, WriteLog } from './support/state';

const sqlFaults = new SqlFaults();
const storeFaults = new StoreFaults();
const writes = new WriteLog();

let stack: LocalStack;
let writer: ApiClient;
let admin: ApiClient;
let modelIds: string[];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    projectorIntervalMs: 0,
    // Faults first, so a failed statement never reaches the write log either.
    wrapSql: (sql) => writes.wrap(sqlFaults.wrap(sql)),
    wrapStore: storeFaults.wrap,
  });
  writer = api(stack, await tokenFor(stack, 'demo-writer'));
  admin = api(stack, await tokenFor(stack, 'demo-admin'));
  const brand = async (name: string) => (await admin.post<Brand>('/brands', { name })).body;
  const model = async (brandId: string, name: string) => {
    const response = await admin.post<Model>('/models', { brandId, name });
    expect(response.status, response.text).toBe(201);
    return response.body.id;
  };
  const [a, b] = [await brand('Faulty Motors'), await brand('Flaky Cars')];
  modelIds = [await model(a.id, 'One'), await model(a.id, 'Two'), await model(b.id, 'Three')];
});

afterEach(() => {
  sqlFaults.reset();
  storeFaults.reset();
});

afterAll(async () => {
  await stack?.close();
});

const nothingWritten = () => fingerprint(stack, writes);

function expectUnavailable(response: ApiResponse) {
  expect(response.status, response.text).toBe(503);
  expectProblemShape(response);
  expect(Number(response.headers.get('retry-after')), 'Retry-After seconds').toBeGreaterThan(0);
}

/** Sales on the model/day/price mix the suites use: `tag` (a unit price) finds them again in SQL. */
function salesOf(tag: string, count: number, withExternalIds = false) {
  return Array.from({ length: count }, (_, i) => ({
    modelId: modelIds[i % modelIds.length] as string,
    soldAt: `2025-06-0${(i % 3) + 1}T${String(10 + (i % 12)).padStart(2, '0')}:30:00+02:00`,
    quantity: (i % 4) + 1,
    unitPrice: tag,
    ...(withExternalIds ? { externalId: `${tag}-${i}` } : {}),
  }));
}

async function countTagged(tag: string): Promise<number> {
  const { rows } = await stack.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sales WHERE unit_price = :tag::numeric',
    { tag },
  );
  return rows[0]?.n ?? 0;
}

const csvOf = (sales: ReturnType<typeof salesOf>) =>
  `modelId,soldAt,quantity,unitPrice\n${sales.map((s) => `${s.modelId},${s.soldAt},${s.quantity},${s.unitPrice}`).join('\n')}\n`;

const postCsv = (csv: string, key?: string) =>
  writer.request('POST', '/sales/import', {
    body: csv,
    headers: { 'content-type': 'text/csv', ...(key ? { 'idempotency-key': key } : {}) },
  });

/** How many statements a request runs inside its transaction(s) and outside them (recorded, nothing failed). */
async function statementsOf(send: () => Promise<ApiResponse>) {
  sqlFaults.record = true;
  sqlFaults.calls.length = 0;
  const response = await send();
  sqlFaults.record = false;
  expect(response.status, response.text).toBeLessThan(300);
  const inTx = Math.max(0, ...sqlFaults.calls.map((call) => call.txIndex ?? 0));
  const outside = sqlFaults.calls.filter((call) => call.txIndex === undefined).map((call) => call.text);
  sqlFaults.calls.length = 0;
  return { inTx, outside };
}

describe('the database failing inside the write transaction', () => {
  it('a batch: a fault at any statement is a 503 with Retry-After and writes nothing; the retry writes it once', async () => {
    const { inTx } = await statementsOf(() =>
      writer.post('/sales/batch', { sales: salesOf('101.01', 5, true) }),
    );
    expect(inTx).toBeGreaterThanOrEqual(4); // models, externalIds, insert, buckets
    const sales = salesOf('202.02', 5, true);
    const key = 'batch-under-faults';
    for (let n = 1; n <= inTx; n += 1) {
      const before = await nothingWritten();
      sqlFaults.failNthInTransaction(n);
      expectUnavailable(await writer.post('/sales/batch', { sales }, { 'idempotency-key': key }));
      sqlFaults.reset();
      expect(await nothingWritten(), `fault at statement ${n}`).toEqual(before);
    }
    const ok = await writer.post<{ items: Sale[] }>('/sales/batch', { sales }, { 'idempotency-key': key });
    expect(ok.status, ok.text).toBe(201);
    const replay = await writer.post<{ items: Sale[] }>(
      '/sales/batch',
      { sales },
      { 'idempotency-key': key },
    );
    expect(replay.status).toBe(201);
    expect(replay.body.items.map((sale) => sale.id)).toEqual(ok.body.items.map((sale) => sale.id));
    expect(await countTagged('202.02')).toBe(5);
    await expectConverged(stack, { versions: true });
  });

  it('an import in several chunks: a fault at any statement is a 503 and writes nothing; the retry writes it once', async () => {
    const rows = 4_100; // three INSERT chunks of at most 2000
    const { inTx } = await statementsOf(() => postCsv(csvOf(salesOf('303.03', rows))));
    expect(inTx).toBeGreaterThanOrEqual(7); // models, then insert + buckets per chunk
    const csv = csvOf(salesOf('404.04', rows));
    const key = 'import-under-faults';
    for (let n = 1; n <= inTx; n += 1) {
      const before = await nothingWritten();
      sqlFaults.failNthInTransaction(n);
      expectUnavailable(await postCsv(csv, key));
      sqlFaults.reset();
      expect(await nothingWritten(), `fault at statement ${n}`).toEqual(before);
    }
    const ok = await postCsv(csv, key);
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toEqual({ importedRows: rows });
    expect(await countTagged('404.04')).toBe(rows);
    await expectConverged(stack, { versions: true });
  });

  it('a delete: a fault at any statement is a 503 and the sale stays', async () => {
    const created = async () => (await writer.post<Sale>('/sales', salesOf('505.05', 1)[0])).body;
    const probe = await created();
    const { inTx } = await statementsOf(() => writer.delete(`/sales/${probe.id}`));
    const sale = await created();
    for (let n = 1; n <= inTx; n += 1) {
      const before = await nothingWritten();
      sqlFaults.failNthInTransaction(n);
      expectUnavailable(await writer.delete(`/sales/${sale.id}`));
      sqlFaults.reset();
      expect(await nothingWritten(), `fault at statement ${n}`).toEqual(before);
    }
    expect((await writer.delete(`/sales/${sale.id}`)).status).toBe(204);
    expect(await countTagged('505.05')).toBe(0);
    await expectConverged(stack, { versions: true });
  });
});

describe('the database failing after the commit', () => {
  const cases = [
    ['POST /sales', '/sales', 1, (sales: ReturnType<typeof salesOf>) => sales[0]],
    ['POST /sales/batch', '/sales/batch', 3, (sales: ReturnType<typeof salesOf>) => ({ sales })],
  ] as const;

  it.each(cases)(
    '%s never answers 503 for sales it wrote; retrying until accepted leaves one copy',
    async (_, url, count, bodyOf) => {
      const { outside } = await statementsOf(() => writer.post(url, bodyOf(salesOf('606.06', count))));
      expect(outside.length).toBeGreaterThan(0);
      for (let m = 1; m <= outside.length; m += 1) {
        const tag = `6${count}${m}.06`;
        const body = bodyOf(salesOf(tag, count)); // no externalIds: only the Idempotency-Key prevents a second copy
        const key = `after-commit-${url}-${m}`;
        sqlFaults.failNthOutsideTransaction(m);
        const first = await writer.post(url, body, { 'idempotency-key': key });
        sqlFaults.reset();
        const statement = outside[m - 1]?.slice(0, 60).replace(/\s+/g, ' ');
        const label = `fault at post-commit statement ${m} (${statement}): ${first.status}`;
        if (first.status === 503)
          expect(await countTagged(tag), `${label}, but the sales were written`).toBe(0);
        else expect(first.status, label).toBe(201);
        const retry = await writer.post(url, body, { 'idempotency-key': key });
        expect(retry.status, label).toBe(201);
        expect(await countTagged(tag), label).toBe(count);
      }
      await stack.projector.drain();
      await expectConverged(stack, { versions: true });
    },
  );
});

describe('DynamoDB failing during projection', () => {
  it('writes are still accepted; the outbox keeps the buckets; a drain converges exactly', async () => {
    storeFaults.hook = () => {
      throw dynamoDown();
    };
    const single = await writer.post<Sale>('/sales', salesOf('707.07', 1)[0]);
    const batch = await writer.post('/sales/batch', { sales: salesOf('707.07', 4) });
    const imported = await postCsv(csvOf(salesOf('707.07', 5)));
    const deleted = await writer.delete(`/sales/${single.body.id}`);
    expect([single.status, batch.status, imported.status, deleted.status]).toEqual([201, 201, 201, 204]);
    expect((await rowCounts(stack.sql)).outbox).toBeGreaterThan(0);
    await expect(stack.projector.drain()).rejects.toThrow(/DynamoDB is unavailable/);

    storeFaults.reset();
    expect(await stack.projector.drain()).toBeGreaterThan(0);
    expect((await rowCounts(stack.sql)).outbox).toBe(0);
    await expectConverged(stack, { versions: true });
  });

  it('a partial projection (some buckets written, then a failure) converges after a drain', async () => {
    let puts = 0;
    storeFaults.hook = () => {
      puts += 1;
      if (puts % 3 === 0) throw dynamoDown();
    };
    for (let i = 0; i < 6; i += 1) {
      const response = await writer.post('/sales/batch', { sales: salesOf('808.08', 4) });
      expect(response.status, response.text).toBe(201);
    }
    storeFaults.reset();
    await stack.projector.drain();
    await expectConverged(stack, { versions: true });
  });

  it('property: any mix of writes under any DynamoDB and post-commit SQL failures converges exactly', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('sale' as const), i: fc.nat(100) }),
      fc.record({ kind: fc.constant('batch' as const), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('import' as const), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    );
    const live: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (ops, putFails, outboxDeleteFails, crashFirstDrain) => {
          let put = 0;
          storeFaults.hook = () => {
            if (putFails[put++ % putFails.length]) throw dynamoDown();
          };
          let deletes = 0;
          sqlFaults.hook = (call) => {
            if (
              /DELETE FROM sales_outbox/.test(call.text) &&
              outboxDeleteFails[deletes++ % outboxDeleteFails.length]
            ) {
              throw new Error('Injected fault: crashed before the outbox delete');
            }
          };
          for (const step of ops) {
            let response: ApiResponse;
            if (step.kind === 'sale') {
              response = await writer.post<Sale>('/sales', {
                ...salesOf('909.09', 1)[0],
                quantity: (step.i % 9) + 1,
              });
              if (response.status === 201) live.push((response.body as Sale).id);
            } else if (step.kind === 'batch') {
              response = await writer.post<{ items: Sale[] }>('/sales/batch', {
                sales: salesOf('909.09', step.n),
              });
              if (response.status === 201)
                live.push(...(response.body as { items: Sale[] }).items.map((s) => s.id));
            } else if (step.kind === 'import') {
              response = await postCsv(csvOf(salesOf('909.09', step.n)));
            } else {
              const id = live.splice(step.pick % Math.max(1, live.length), 1)[0];
              if (id === undefined) continue;
              response = await writer.delete(`/sales/${id}`);
            }
            expect(response.status, `${step.kind}: ${response.text}`).toBeLessThan(300);
          }
          sqlFaults.reset();
          if (crashFirstDrain) {
            let drainPuts = 0;
            storeFaults.hook = () => {
              if (++drainPuts === 2) throw dynamoDown();
            };
            await stack.projector.drain().catch(() => undefined);
          }
          storeFaults.reset();
          await stack.projector.drain();
          expect((await rowCounts(stack.sql)).outbox).toBe(0);
          await expectConverged(stack, { versions: true });
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('the projector crashing between the DynamoDB write and the outbox delete', () => {
  it('a redrain recomputes instead of adding: no double counting', async () => {
    sqlFaults.failMatching(/DELETE FROM sales_outbox/, 1);
    const response = await writer.post('/sales/batch', { sales: salesOf('111.11', 6) });
    expect(response.status, response.text).toBe(201);
    // DynamoDB already has the new figures, the outbox still lists the buckets.
    const pending = (await rowCounts(stack.sql)).outbox;
    expect(pending).toBeGreaterThan(0);
    await expectConverged(stack, { versions: true });

    // The scheduled projector crashes the same way, twice, then gets through.
    for (let crash = 0; crash < 2; crash += 1) {
      sqlFaults.failMatching(/DELETE FROM sales_outbox/, 1);
      await expect(stack.projector.drain()).rejects.toThrow(/Injected fault/);
      expect((await rowCounts(stack.sql)).outbox).toBe(pending);
      await expectConverged(stack, { versions: true });
    }
    sqlFaults.reset();
    expect(await stack.projector.drain()).toBe(pending);
    expect((await rowCounts(stack.sql)).outbox).toBe(0);
    await expectConverged(stack, { versions: true });
  });
});

describe('duplicate, concurrent and out-of-order projector runs', () => {
  it('concurrent drains and re-projections of the same outbox entries (while writes go on) are exact', async () => {
    storeFaults.hook = () => {
      throw dynamoDown();
    };
    for (let i = 0; i < 5; i += 1) await writer.post('/sales/batch', { sales: salesOf('222.22', 4) });
    const { rows: entries } = await stack.sql.query<OutboxEntry>(
      `SELECT id, scope, scope_id AS "scopeId", sale_day AS day, currency FROM sales_outbox ORDER BY id`,
    );
    expect(entries.length).toBeGreaterThan(0);

    storeFaults.hook = jitter(15);
    const runs = await Promise.allSettled([
      stack.projector.drain(),
      stack.projector.drain(2),
      stack.projector.drain(7),
      stack.projector.project(entries),
      stack.projector.project([...entries].reverse()),
      writer.post('/sales/batch', { sales: salesOf('222.22', 3) }),
      writer.post('/sales', salesOf('222.22', 1)[0]),
    ]);
    for (const run of runs)
      expect(run.status, String((run as PromiseRejectedResult).reason)).toBe('fulfilled');
    storeFaults.reset();
    await stack.projector.drain();
    await expectConverged(stack, { versions: true });

    // A duplicate delivery of long-gone outbox entries changes nothing (every put is stale).
    const before = await expectConverged(stack, { versions: true });
    await stack.projector.project(entries);
    await stack.projector.drain();
    expect(await expectConverged(stack, { versions: true })).toEqual(before);
  });

  it('an old projection landing after a newer one is ignored (version check)', async () => {
    const [modelId] = modelIds;
    const held = gate();
    let armed = true;
    storeFaults.hook = async (aggregate) => {
      if (armed && aggregate.scope === 'model' && aggregate.scopeId === modelId) {
        armed = false;
        await held.wait();
      }
    };
    const sale = { modelId, soldAt: '2025-07-01T12:00:00Z', quantity: 1, unitPrice: '333.33' };
    const slow = writer.post('/sales', sale); // its projection read version v, then stalls before the put
    await held.reached;
    const fast = await writer.post('/sales', { ...sale, quantity: 5 }); // commits v+1 and projects it
    expect(fast.status).toBe(201);
    held.open();
    expect((await slow).status).toBe(201);
    await expectConverged(stack, { versions: true });
    expect((await rowCounts(stack.sql)).outbox).toBe(0);
  });
});

describe('a retried POST whose first response was lost', () => {
  const body = (unitPrice: string) => ({
    modelId: modelIds[0],
    soldAt: '2025-08-01T09:00:00Z',
    quantity: 2,
    unitPrice,
  });

  /** Retries like a client would: again on 409 (the first attempt is still in flight) and 503. */
  async function retryUntilDone(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await send();
      if (response.status !== 409 && response.status !== 503) return response;
      await sleep(50);
    }
    throw new Error('still not done after 100 retries');
  }

  it('the server finished the first attempt after the client gave up: the retry replays it, one sale', async () => {
    const key = 'lost-response-1';
    const held = gate();
    let armed = true;
    sqlFaults.hook = async (call) => {
      if (armed && /DELETE FROM sales_outbox/.test(call.text)) {
        armed = false;
        await held.wait(); // committed and projected, the response not yet sent
      }
    };
    const abort = new AbortController();
    const first = sendRaw(stack.url, {
      method: 'POST',
      url: '/sales',
      headers: {
        authorization: `Bearer ${await tokenFor(stack, 'demo-writer')}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body('444.44')),
      signal: abort.signal,
    });
    await held.reached;
    abort.abort();
    await expect(first).rejects.toThrow();
    held.open();

    const retry = await retryUntilDone(() =>
      writer.post<Sale>('/sales', body('444.44'), { 'idempotency-key': key }),
    );
    expect(retry.status, retry.text).toBe(201);
    const { rows } = await stack.sql.query<{ id: string }>('SELECT id FROM sales WHERE unit_price = 444.44');
    expect(rows.map((row) => row.id)).toEqual([(retry.body as Sale).id]);
    await expectConverged(stack, { versions: true });
  });

  it('the first attempt failed with 503 before the commit: the retry writes it, one sale', async () => {
    const key = 'lost-response-2';
    sqlFaults.failNthInTransaction(2);
    expectUnavailable(await writer.post('/sales', body('555.55'), { 'idempotency-key': key }));
    sqlFaults.reset();
    const retry = await retryUntilDone(() =>
      writer.post('/sales', body('555.55'), { 'idempotency-key': key }),
    );
    expect(retry.status).toBe(201);
    expect(await countTagged('555.55')).toBe(1);
  });

  it('many copies of the same request at once: one sale, every answer a 201 replay or a 409', async () => {
    const key = 'stampede-1';
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        writer.post<Sale>('/sales', body('666.66'), { 'idempotency-key': key }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(
      statuses.every((status) => status === 201 || status === 409),
      statuses.join(),
    ).toBe(true);
    expect(statuses).toContain(201);
    const retry = await retryUntilDone(() =>
      writer.post<Sale>('/sales', body('666.66'), { 'idempotency-key': key }),
    );
    expect(await countTagged('666.66')).toBe(1);
    const ids = new Set(
      [...responses, retry].filter((r) => r.status === 201).map((r) => (r.body as Sale).id),
    );
    expect(ids.size).toBe(1);
  });
});
