import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import type { AggregateStore } from '../../lambdas/shared/projection/aggregates';
import { outboxSize, requeueAllBuckets } from '../../lambdas/shared/projection/bookkeeping';
import type { Sql } from '../../lambdas/shared/sql/port';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { LOCAL_TABLES } from '../../local/tables';
import { expectData, expectStatus } from '../support/api';
import { clientOf } from '../support/fixtures';
import { CSV_HEADER, count, csvOf, csvRow, expectConverged, saleOf, salesOfModel } from '../support/sales';
import { createModel, deleteSale, modelSales, postBatch, postCsv, postSale } from '../support/sales-client';

type Model = Schemas['Model'];

/** Fault switches of the wrapped engines. */
const faults = {
  /** While true, every DynamoDB aggregate write fails. */
  storeDown: false,
  /** How many `DELETE FROM sales_outbox` statements still fail (a crash after the DynamoDB write). */
  outboxDeleteCrashes: 0,
  /** How many deletes of a booked pending row still fail (a crash after its buckets were bumped). */
  pendingDeleteCrashes: 0,
  injected: 0,
};

function faultyStore(store: AggregateStore): AggregateStore {
  return {
    put: (aggregate) => {
      if (!faults.storeDown) return store.put(aggregate);
      faults.injected += 1;
      return Promise.reject(new Error('injected: DynamoDB is unavailable'));
    },
    putMany: (aggregates) => {
      if (!faults.storeDown) return store.putMany(aggregates);
      faults.injected += 1;
      return Promise.reject(new Error('injected: DynamoDB is unavailable'));
    },
    queryPeriods: (...args) => store.queryPeriods(...args),
    getMany: (...args) => store.getMany(...args),
    markProjected: (asOf) => store.markProjected(asOf),
    projectedUntil: () => store.projectedUntil(),
  };
}

function faultySql(sql: Sql): Sql {
  return {
    query: (text, params) => {
      if (faults.outboxDeleteCrashes > 0 && /^\s*DELETE FROM sales_outbox/i.test(text)) {
        faults.outboxDeleteCrashes -= 1;
        faults.injected += 1;
        return Promise.reject(new Error('injected: crash before the outbox delete'));
      }
      if (faults.pendingDeleteCrashes > 0 && /^\s*DELETE FROM sales_pending_changes/i.test(text)) {
        faults.pendingDeleteCrashes -= 1;
        faults.injected += 1;
        return Promise.reject(new Error('injected: crash before the pending row delete'));
      }
      return sql.query(text, params);
    },
    transaction: (work) => sql.transaction((tx) => work(faultySql(tx))),
  };
}

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let reader: ApiClient;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    projectorIntervalMs: 0,
    wrapStore: faultyStore,
    wrapSql: faultySql,
  });
  admin = await clientOf(stack, 'demo-admin');
  writer = await clientOf(stack, 'demo-writer');
  reader = await clientOf(stack, 'demo-reader');
});

afterEach(() => {
  faults.storeDown = false;
  faults.outboxDeleteCrashes = 0;
  faults.pendingDeleteCrashes = 0;
});

afterAll(async () => {
  await stack?.close();
});

const outbox = () => outboxSize(stack.sql);

async function unitsOf(model: Model, from = '2025-03-01', to = '2025-03-03'): Promise<number> {
  return expectData(await modelSales(reader, model.id, { from, to })).totals.units;
}

/** Single, batch and CSV sales of a model on 2025-03-01..03; returns their total units. */
async function writeSales(model: Model): Promise<number> {
  expectStatus(await postSale(writer, saleOf(model.id, { soldAt: '2025-03-01', quantity: 2 })), 201);
  const batch = await postBatch(writer, [
    saleOf(model.id, { soldAt: '2025-03-02T23:30:00-02:00', quantity: 3, unitPrice: '10.10' }),
    saleOf(model.id, { soldAt: '2025-03-02', quantity: 4, currency: 'USD' }),
  ]);
  expectStatus(batch, 201);
  const csv = await postCsv(
    writer,
    csvOf(CSV_HEADER, [
      csvRow(saleOf(model.id, { soldAt: '2025-03-01T12:00:00Z', quantity: 5, unitPrice: '0.01' })),
    ]),
  );
  expectStatus(csv, 201);
  return 2 + 3 + 5; // EUR units
}

describe('projection faults', () => {
  it('books a bulk import exactly once when its booking crashes halfway and the drain runs again', async () => {
    const model = await createModel(admin);
    // One sale on each of 240 days: more changes than a write books itself, so they are left pending.
    const rows = Array.from({ length: 240 }, (_, i) =>
      csvRow(saleOf(model.id, { soldAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(), quantity: 2 })),
    );
    expectStatus(await postCsv(writer, csvOf(CSV_HEADER, rows)), 201);
    const pending = () => count(stack.sql, 'sales_pending_changes');
    expect(await pending()).toBe(1);

    faults.pendingDeleteCrashes = 1;
    await expect(stack.projector.drain()).rejects.toThrow(/injected/);
    // The crash rolled the booking back: nothing bumped, the row still pending.
    expect(await pending()).toBe(1);
    expect(await count(stack.sql, 'sales_buckets', 'scope_id = :id', { id: model.id })).toBe(0);

    expect(await stack.projector.drain()).toBeGreaterThan(0);
    expect(await stack.projector.drain()).toBe(0);
    expect(await pending()).toBe(0);
    expect(await unitsOf(model, '2024-01-01', '2024-12-31')).toBe(480);
    await expectConverged(stack);
  });

  it('keeps accepting sales while DynamoDB is down, and catches up exactly once it is back', async () => {
    const model = await createModel(admin);
    faults.storeDown = true;
    const injectedBefore = faults.injected;

    const units = await writeSales(model);
    const victim = expectData(
      await postSale(writer, saleOf(model.id, { soldAt: '2025-03-03', quantity: 1 })),
      201,
    );
    expectStatus(await deleteSale(writer, victim.id), 204);

    expect(faults.injected).toBeGreaterThan(injectedBefore);
    expect(await salesOfModel(stack.sql, model.id)).toBe(4);
    expect(await outbox()).toBeGreaterThan(0);
    expect(await unitsOf(model)).toBe(0); // not projected yet
    await expect(stack.projector.drain()).rejects.toThrow(/injected/);
    expect(await outbox()).toBeGreaterThan(0);

    faults.storeDown = false;
    expect(await stack.projector.drain()).toBeGreaterThan(0);

    expect(await outbox()).toBe(0);
    expect(await unitsOf(model)).toBe(units);
    await expectConverged(stack);
    for (let again = 0; again < 3; again++) {
      expect(await stack.projector.drain()).toBe(0);
      await expectConverged(stack);
    }
    expect(await unitsOf(model)).toBe(units);
  });

  it('never double counts when buckets are projected again (redelivered outbox rows)', async () => {
    const model = await createModel(admin);
    const units = await writeSales(model);
    await stack.projector.drain();
    await expectConverged(stack);

    // Every bucket queued again, twice, as a redelivery after a crash would.
    for (let copy = 0; copy < 2; copy++) {
      await requeueAllBuckets(stack.sql);
    }
    expect(await stack.projector.drain(7)).toBeGreaterThan(0);

    expect(await outbox()).toBe(0);
    expect(await unitsOf(model)).toBe(units);
    await expectConverged(stack);
  });

  it('recovers from a crash between the DynamoDB write and the outbox delete of a request', async () => {
    const model = await createModel(admin);
    faults.outboxDeleteCrashes = 1;

    const sale = await postSale(writer, saleOf(model.id, { soldAt: '2025-03-02', quantity: 6 }));

    expectStatus(sale, 201);
    expect(faults.outboxDeleteCrashes).toBe(0);
    expect(await outbox()).toBeGreaterThan(0);
    expect(await unitsOf(model)).toBe(6); // written before the crash

    await stack.projector.drain();
    expect(await outbox()).toBe(0);
    expect(await unitsOf(model)).toBe(6);
    await expectConverged(stack);
  });

  it('recovers from a crash between the DynamoDB write and the outbox delete of a drain', async () => {
    const model = await createModel(admin);
    faults.storeDown = true;
    const units = await writeSales(model);
    faults.storeDown = false;
    faults.outboxDeleteCrashes = 1;

    await expect(stack.projector.drain(2)).rejects.toThrow(/injected/);
    expect(await outbox()).toBeGreaterThan(0);

    await stack.projector.drain(2);
    expect(await outbox()).toBe(0);
    expect(await unitsOf(model)).toBe(units);
    await expectConverged(stack);
  });

  it('converges with two concurrent drains, and with drains racing new writes', async () => {
    const models = [await createModel(admin), await createModel(admin)];
    faults.storeDown = true;
    for (const model of models) await writeSales(model);
    faults.storeDown = false;
    const queued = await outbox();
    expect(queued).toBeGreaterThan(0);

    const drained = await Promise.all([stack.projector.drain(3), stack.projector.drain(5)]);

    expect(drained[0] + drained[1]).toBeGreaterThanOrEqual(queued);
    expect(await outbox()).toBe(0);
    await expectConverged(stack);

    faults.storeDown = true;
    await writeSales(models[0] as Model);
    faults.storeDown = false;
    await Promise.all([
      stack.projector.drain(2),
      writeSales(models[1] as Model),
      stack.projector.drain(4),
      postBatch(writer, [saleOf((models[0] as Model).id, { soldAt: '2025-03-01', quantity: 9 })]),
    ]);
    await stack.projector.drain();
    expect(await outbox()).toBe(0);
    await expectConverged(stack);
    expect(await unitsOf(models[0] as Model)).toBe(10 + 10 + 9);
    expect(await unitsOf(models[1] as Model)).toBe(10 + 10);
  });

  it('never lets an older version replace a newer one in DynamoDB', async () => {
    const key = {
      scope: 'model' as const,
      scopeId: 'version-test',
      grain: 'day' as const,
      day: '2025-03-01',
      currency: 'EUR',
    };

    expect(await stack.store.put({ ...key, units: 5, revenue: '50', orders: 2, version: 5 })).toBe('written');
    expect(await stack.store.put({ ...key, units: 1, revenue: '10', orders: 1, version: 4 })).toBe('stale');
    expect(await stack.store.put({ ...key, units: 1, revenue: '10', orders: 1, version: 5 })).toBe('stale');

    const [stored] = await stack.store.getMany([key]);
    expect(stored).toMatchObject({ units: 5, revenue: '50', orders: 2, version: 5 });
    expect(await stack.store.put({ ...key, units: 6, revenue: '60', orders: 3, version: 6 })).toBe('written');

    // Not a bucket SQL knows: remove it so the store stays equal to SQL.
    await stack.dynamo.documents.send(
      new DeleteCommand({
        TableName: LOCAL_TABLES.aggregates,
        Key: { pk: 'model#version-test#EUR', sk: 'DAY#2025-03-01' },
      }),
    );
    await expectConverged(stack);
  });
});
