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
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiClient, fetchToken, sendRaw } from '../client';
import { INSERT_CHUNK } from '../lambdas/sales/repository';
import type { OutboxEntry } from '../lambdas/shared/projection/projector';
import type { LocalStack } from '../local/stack';
import { type AnyResponse, expectData, one, rawOf } from '../test/support/api';
import { stackTest } from '../test/support/fixtures';
import { dynamoDown, gate, jitter, SqlFaults, StoreFaults } from './support/faults';
import { expectProblemShape } from './support/http';
import { expectConverged, fingerprint, rowCounts, WriteLog } from './support/state';

const sqlFaults = new SqlFaults();
const storeFaults = new StoreFaults();
const writes = new WriteLog();

const test = stackTest({
  projectorIntervalMs: 0,
  // Faults first, so a failed statement never reaches the write log either.
  wrapSql: (sql) => writes.wrap(sqlFaults.wrap(sql)),
  wrapStore: storeFaults.wrap,
});

let stack: LocalStack;
let writer: ApiClient;
let modelIds: string[];

test.beforeAll(async ({ stack: started, writer: demoWriter, admin }) => {
  stack = started;
  writer = demoWriter;
  const brand = async (name: string) => expectData(await admin.POST('/brands', { body: { name } }), 201);
  const model = async (brandId: string, name: string) =>
    expectData(await admin.POST('/models', { body: { brandId, name } }), 201).id;
  const [a, b] = [await brand('Faulty Motors'), await brand('Flaky Cars')];
  modelIds = [await model(a.id, 'One'), await model(a.id, 'Two'), await model(b.id, 'Three')];
});

afterEach(() => {
  sqlFaults.reset();
  storeFaults.reset();
});

const idempotent = (key: string) => ({ headers: { 'idempotency-key': key } });
const statusOf = (result: AnyResponse) => rawOf(result).status;

const nothingWritten = () => fingerprint(stack, writes);

function expectUnavailable(result: AnyResponse) {
  const response = rawOf(result);
  expect(response.status, response.text).toBe(503);
  expectProblemShape(response);
  expect(Number(response.headers.get('retry-after')), 'Retry-After seconds').toBeGreaterThan(0);
}

/** Sales on the model/day/price mix the suites use: `tag` (a unit price) finds them again in SQL. */
function salesOf(tag: string, count: number, withExternalIds = false) {
  return Array.from({ length: count }, (_, i) => ({
    modelId: one(modelIds.slice(i % modelIds.length)),
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
  writer.POST('/sales/import', {
    body: csv,
    bodySerializer: (text) => String(text),
    headers: { 'content-type': 'text/csv', ...(key ? { 'idempotency-key': key } : {}) },
  });

/** How many statements a request runs inside its transaction(s) and outside them (recorded, nothing failed). */
async function statementsOf(send: () => Promise<AnyResponse>) {
  sqlFaults.record = true;
  sqlFaults.calls.length = 0;
  const response = rawOf(await send());
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
      writer.POST('/sales/batch', { body: { sales: salesOf('101.01', 5, true) } }),
    );
    expect(inTx).toBeGreaterThanOrEqual(4); // models, externalIds, insert, buckets
    const sales = salesOf('202.02', 5, true);
    const key = 'batch-under-faults';
    for (let n = 1; n <= inTx; n += 1) {
      const before = await nothingWritten();
      sqlFaults.failNthInTransaction(n);
      expectUnavailable(await writer.POST('/sales/batch', { body: { sales }, ...idempotent(key) }));
      sqlFaults.reset();
      expect(await nothingWritten(), `fault at statement ${n}`).toEqual(before);
    }
    const ok = expectData(await writer.POST('/sales/batch', { body: { sales }, ...idempotent(key) }), 201);
    const replay = expectData(
      await writer.POST('/sales/batch', { body: { sales }, ...idempotent(key) }),
      201,
    );
    expect(replay.items.map((sale) => sale.id)).toEqual(ok.items.map((sale) => sale.id));
    expect(await countTagged('202.02')).toBe(5);
    await expectConverged(stack, { versions: true });
  });

  it('an import in several chunks: a fault at any statement is a 503 and writes nothing; the retry writes it once', async () => {
    const rows = 2 * INSERT_CHUNK + 100; // three INSERT chunks
    const { inTx } = await statementsOf(() => postCsv(csvOf(salesOf('303.03', rows))));
    expect(inTx).toBeGreaterThanOrEqual(6); // models, an insert per chunk, then one booking (buckets, parts)
    const csv = csvOf(salesOf('404.04', rows));
    const key = 'import-under-faults';
    for (let n = 1; n <= inTx; n += 1) {
      const before = await nothingWritten();
      sqlFaults.failNthInTransaction(n);
      expectUnavailable(await postCsv(csv, key));
      sqlFaults.reset();
      expect(await nothingWritten(), `fault at statement ${n}`).toEqual(before);
    }
    expect(expectData(await postCsv(csv, key), 201)).toEqual({ importedRows: rows });
    expect(await countTagged('404.04')).toBe(rows);
    await expectConverged(stack, { versions: true });
  });

  it('a delete: a fault at any statement is a 503 and the sale stays', async () => {
    const created = async () =>
      expectData(await writer.POST('/sales', { body: one(salesOf('505.05', 1)) }), 201);
    const remove = (saleId: string) => writer.DELETE('/sales/{saleId}', { params: { path: { saleId } } });
    const probe = await created();
    const { inTx } = await statementsOf(() => remove(probe.id));
    const sale = await created();
    for (let n = 1; n <= inTx; n += 1) {
      const before = await nothingWritten();
      sqlFaults.failNthInTransaction(n);
      expectUnavailable(await remove(sale.id));
      sqlFaults.reset();
      expect(await nothingWritten(), `fault at statement ${n}`).toEqual(before);
    }
    expect(statusOf(await remove(sale.id))).toBe(204);
    expect(await countTagged('505.05')).toBe(0);
    await expectConverged(stack, { versions: true });
  });
});

describe('the database failing after the commit', () => {
  type Sales = ReturnType<typeof salesOf>;
  const headers = (key?: string) => (key ? idempotent(key) : {});
  const cases = [
    [
      'POST /sales',
      1,
      (sales: Sales, key?: string) => writer.POST('/sales', { body: one(sales), ...headers(key) }),
    ],
    [
      'POST /sales/batch',
      3,
      (sales: Sales, key?: string) => writer.POST('/sales/batch', { body: { sales }, ...headers(key) }),
    ],
  ] as const;

  it.each(cases)(
    '%s never answers 503 for sales it wrote; retrying until accepted leaves one copy',
    async (operation, count, post) => {
      const { outside } = await statementsOf(() => post(salesOf('606.06', count)));
      expect(outside.length).toBeGreaterThan(0);
      for (let m = 1; m <= outside.length; m += 1) {
        const tag = `6${count}${m}.06`;
        const sales = salesOf(tag, count); // no externalIds: only the Idempotency-Key prevents a second copy
        const key = `after-commit-${operation}-${m}`;
        sqlFaults.failNthOutsideTransaction(m);
        const first = statusOf(await post(sales, key));
        sqlFaults.reset();
        const statement = outside[m - 1]?.slice(0, 60).replace(/\s+/g, ' ');
        const label = `fault at post-commit statement ${m} (${statement}): ${first}`;
        if (first === 503) expect(await countTagged(tag), `${label}, but the sales were written`).toBe(0);
        else expect(first, label).toBe(201);
        expect(statusOf(await post(sales, key)), label).toBe(201);
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
    const single = expectData(await writer.POST('/sales', { body: one(salesOf('707.07', 1)) }), 201);
    const batch = await writer.POST('/sales/batch', { body: { sales: salesOf('707.07', 4) } });
    const imported = await postCsv(csvOf(salesOf('707.07', 5)));
    const deleted = await writer.DELETE('/sales/{saleId}', { params: { path: { saleId: single.id } } });
    expect([batch, imported, deleted].map(statusOf)).toEqual([201, 201, 204]);
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
      expectData(await writer.POST('/sales/batch', { body: { sales: salesOf('808.08', 4) } }), 201);
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
            let result: AnyResponse;
            if (step.kind === 'sale') {
              const sale = await writer.POST('/sales', {
                body: { ...one(salesOf('909.09', 1)), quantity: (step.i % 9) + 1 },
              });
              if (sale.data) live.push(sale.data.id);
              result = sale;
            } else if (step.kind === 'batch') {
              const batch = await writer.POST('/sales/batch', { body: { sales: salesOf('909.09', step.n) } });
              if (batch.data) live.push(...batch.data.items.map((s) => s.id));
              result = batch;
            } else if (step.kind === 'import') {
              result = await postCsv(csvOf(salesOf('909.09', step.n)));
            } else {
              const saleId = live.splice(step.pick % Math.max(1, live.length), 1)[0];
              if (saleId === undefined) continue;
              result = await writer.DELETE('/sales/{saleId}', { params: { path: { saleId } } });
            }
            const response = rawOf(result);
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
    expectData(await writer.POST('/sales/batch', { body: { sales: salesOf('111.11', 6) } }), 201);
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
    for (let i = 0; i < 5; i += 1)
      await writer.POST('/sales/batch', { body: { sales: salesOf('222.22', 4) } });
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
      writer.POST('/sales/batch', { body: { sales: salesOf('222.22', 3) } }),
      writer.POST('/sales', { body: one(salesOf('222.22', 1)) }),
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
    const modelId = one(modelIds);
    const held = gate();
    let armed = true;
    storeFaults.hook = async (aggregate) => {
      if (armed && aggregate.scope === 'model' && aggregate.scopeId === modelId) {
        armed = false;
        await held.wait();
      }
    };
    const sale = { modelId, soldAt: '2025-07-01T12:00:00Z', quantity: 1, unitPrice: '333.33' };
    const slow = writer.POST('/sales', { body: sale }); // its projection read version v, then stalls before the put
    await held.reached;
    const fast = await writer.POST('/sales', { body: { ...sale, quantity: 5 } }); // commits v+1 and projects it
    expect(statusOf(fast)).toBe(201);
    held.open();
    expect(statusOf(await slow)).toBe(201);
    await expectConverged(stack, { versions: true });
    expect((await rowCounts(stack.sql)).outbox).toBe(0);
  });
});

describe('a retried POST whose first response was lost', () => {
  const body = (unitPrice: string) => ({
    modelId: one(modelIds),
    soldAt: '2025-08-01T09:00:00Z',
    quantity: 2,
    unitPrice,
  });

  /** Retries like a client would: again on 409 (the first attempt is still in flight) and 503. */
  async function retryUntilDone<T extends AnyResponse>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await send();
      const status = statusOf(response);
      if (status !== 409 && status !== 503) return response;
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
    const token = await fetchToken(stack.url, {
      clientId: 'demo-writer',
      clientSecret: 'demo-writer-secret',
    });
    const first = sendRaw(stack.url, {
      method: 'POST',
      path: '/sales',
      headers: {
        authorization: `Bearer ${token.access_token}`,
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
      writer.POST('/sales', { body: body('444.44'), ...idempotent(key) }),
    );
    const sale = expectData(retry, 201);
    const { rows } = await stack.sql.query<{ id: string }>('SELECT id FROM sales WHERE unit_price = 444.44');
    expect(rows.map((row) => row.id)).toEqual([sale.id]);
    await expectConverged(stack, { versions: true });
  });

  it('the first attempt failed with 503 before the commit: the retry writes it, one sale', async () => {
    const key = 'lost-response-2';
    sqlFaults.failNthInTransaction(2);
    expectUnavailable(await writer.POST('/sales', { body: body('555.55'), ...idempotent(key) }));
    sqlFaults.reset();
    const retry = await retryUntilDone(() =>
      writer.POST('/sales', { body: body('555.55'), ...idempotent(key) }),
    );
    expect(statusOf(retry)).toBe(201);
    expect(await countTagged('555.55')).toBe(1);
  });

  it('many copies of the same request at once: one sale, every answer a 201 replay or a 409', async () => {
    const key = 'stampede-1';
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => writer.POST('/sales', { body: body('666.66'), ...idempotent(key) })),
    );
    const statuses = responses.map(statusOf);
    expect(
      statuses.every((status) => status === 201 || status === 409),
      statuses.join(),
    ).toBe(true);
    expect(statuses).toContain(201);
    const retry = await retryUntilDone(() =>
      writer.POST('/sales', { body: body('666.66'), ...idempotent(key) }),
    );
    expect(await countTagged('666.66')).toBe(1);
    const ids = new Set([...responses, retry].flatMap((r) => (r.data ? [r.data.id] : [])));
    expect(ids.size).toBe(1);
  });
});
