import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import { formatDecimal, minorDigits, parseDecimal } from '../../lambdas/shared/money';
import { outboxSize } from '../../lambdas/shared/projection/bookkeeping';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { expectData, expectStatus } from '../support/api';
import { clientOf } from '../support/fixtures';
import {
  CSV_HEADER,
  clientsWithOtherWriter,
  count,
  csvOf,
  csvRow,
  expectConverged,
  type SaleInput,
} from '../support/sales';
import {
  createBrand,
  createModel,
  deleteSale,
  modelSales,
  postBatch,
  postCsv,
  postSale,
} from '../support/sales-client';

type Model = Schemas['Model'];

let stack: LocalStack;
let admin: ApiClient;
let writers: ApiClient[];
let models: Model[];

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, clients: clientsWithOtherWriter() });
  admin = await clientOf(stack, 'demo-admin');
  writers = [await clientOf(stack, 'demo-writer'), await clientOf(stack, 'other-writer'), admin];
  models = [];
  for (let brand = 0; brand < 3; brand++) {
    const { id } = await createBrand(admin);
    for (let model = 0; model < 2; model++) models.push(await createModel(admin, id));
  }
});

afterAll(async () => {
  await stack?.close();
});

// Days around a month end; times whose offsets move the sale to the UTC day before or after.
const DAYS = ['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02'];
const TIMES = ['', 'T00:00:00Z', 'T23:59:59.999Z', 'T00:30:00+02:00', 'T23:30:00-03:00', 'T12:00:00+05:30'];

const saleArb = fc.record({
  model: fc.nat({ max: 5 }),
  day: fc.constantFrom(...DAYS),
  time: fc.constantFrom(...TIMES),
  quantity: fc.integer({ min: 1, max: 50 }),
  minorUnits: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000_000 })),
  currency: fc.constantFrom('EUR', 'USD', 'JPY'),
});
type SaleSpec = typeof saleArb extends fc.Arbitrary<infer T> ? T : never;

const itemsArb = fc.array(saleArb, { minLength: 1, maxLength: 15 });
const opArb = fc.oneof(
  fc.record({ kind: fc.constant('single' as const), sales: fc.tuple(saleArb) }),
  fc.record({ kind: fc.constant('batch' as const), sales: itemsArb }),
  fc.record({ kind: fc.constant('csv' as const), sales: itemsArb }),
  fc.record({ kind: fc.constant('deleteOwn' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('deleteOld' as const), pick: fc.nat() }),
);
/** Concurrent lanes, each a sequence of operations. */
const planArb = fc.array(fc.array(opArb, { minLength: 3, maxLength: 8 }), { minLength: 4, maxLength: 4 });
type Plan = typeof planArb extends fc.Arbitrary<infer T> ? T : never;

function toSale(spec: SaleSpec): SaleInput {
  // Any amount in the currency's minor unit (e.g. cents), at the internal scale of 4 decimals.
  const digits = minorDigits(spec.currency);
  const unitPrice = formatDecimal(BigInt(spec.minorUnits) * 10n ** BigInt(4 - digits), digits);
  return {
    modelId: (models[spec.model] as Model).id,
    soldAt: `${spec.day}${spec.time}`,
    quantity: spec.quantity,
    unitPrice,
    currency: spec.currency,
  };
}

async function saleIds(): Promise<string[]> {
  const { rows } = await stack.sql.query<{ id: string }>('SELECT id FROM sales ORDER BY id');
  return rows.map((row) => row.id);
}

/** Runs one lane's operations in order; returns [sales created, sales deleted]. */
async function runLane(lane: number, ops: Plan[number], old: string[]) {
  const client = writers[lane % writers.length] as ApiClient;
  const own: string[] = [];
  let created = 0;
  let deleted = 0;
  for (const op of ops) {
    if (op.kind === 'single') {
      const sale = expectData(await postSale(client, toSale(op.sales[0])), 201);
      own.push(sale.id);
      created += 1;
    } else if (op.kind === 'batch') {
      const batch = expectData(await postBatch(client, op.sales.map(toSale)), 201);
      own.push(...batch.items.map((sale) => sale.id));
      created += op.sales.length;
    } else if (op.kind === 'csv') {
      const imported = expectData(
        await postCsv(client, csvOf(CSV_HEADER, op.sales.map(toSale).map(csvRow))),
        201,
      );
      expect(imported.importedRows).toBe(op.sales.length);
      created += op.sales.length;
    } else {
      const pool = op.kind === 'deleteOwn' ? own : old;
      if (pool.length === 0) continue;
      const [id] = pool.splice(op.pick % pool.length, 1) as [string];
      // Sales of earlier rounds may be anyone's: only an admin may delete those.
      expectStatus(await deleteSale(op.kind === 'deleteOwn' ? client : admin, id), 204);
      deleted += 1;
    }
  }
  return [created, deleted] as const;
}
/** Per-model sales over HTTP equal the SQL GROUP BY, day by day. */
async function expectModelSalesMatchSql() {
  const from = '2025-02-26';
  const to = '2025-03-03';
  const { rows } = await stack.sql.query<{ modelId: string; day: string; currency: string; units: number }>(
    `SELECT model_id AS "modelId", sale_day::text AS day, currency::text AS currency, sum(quantity)::int AS units
     FROM sales GROUP BY model_id, sale_day, currency`,
  );
  for (const model of models) {
    for (const currency of ['EUR', 'USD', 'JPY']) {
      const body = expectData(await modelSales(admin, model.id, { from, to, currency }));
      const want = body.periods.map(
        ({ period }) =>
          rows.find((row) => row.modelId === model.id && row.currency === currency && row.day === period)
            ?.units ?? 0,
      );
      expect(
        body.periods.map((period) => period.units),
        `${model.id} ${currency}`,
      ).toEqual(want);
    }
  }
}

describe('convergence', () => {
  it('keeps every DynamoDB bucket equal to SQL under concurrent inserts (single, batch, CSV) and deletes', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        round += 1;
        const before = await saleIds();
        const lanes = plan.map((ops, lane) =>
          runLane(
            lane,
            ops,
            before.filter((_, i) => i % plan.length === lane),
          ),
        );
        const results = await Promise.all(lanes);
        const created = results.reduce((total, [c]) => total + c, 0);
        const deleted = results.reduce((total, [, d]) => total + d, 0);
        expect(await count(stack.sql, 'sales')).toBe(before.length + created - deleted);

        // Every request projects its own buckets after commit, newest version wins: already converged.
        expect(await outboxSize(stack.sql)).toBe(0);
        await expectConverged(stack);

        await stack.projector.drain();
        const buckets = await expectConverged(stack);
        expect(buckets).toBeGreaterThan(0);
        await expectModelSalesMatchSql();
      }),
      { numRuns: 3, endOnFailure: true, verbose: true },
    );
    expect(round).toBe(3);
    expect(await count(stack.sql, 'sales')).toBeGreaterThan(50);
  });

  it('keeps buckets whose sales are all deleted at zero', async () => {
    const model = await createModel(admin);
    const batch = expectData(
      await postBatch(
        admin,
        ['EUR', 'USD'].map((currency) => ({
          modelId: model.id,
          soldAt: '2025-09-09T23:00:00-05:00',
          quantity: 3,
          unitPrice: '7.77',
          currency,
        })),
      ),
      201,
    );

    const deletes = await Promise.all(batch.items.map((sale) => deleteSale(admin, sale.id)));
    for (const deleted of deletes) expectStatus(deleted, 204);
    await stack.projector.drain();

    await expectConverged(stack);
    for (const currency of ['EUR', 'USD']) {
      const day = { grain: 'day' as const, day: '2025-09-10', currency };
      const days = await stack.store.getMany([{ scope: 'model', scopeId: model.id, ...day }]);
      expect(
        days.map(({ units, revenue, orders }) => ({ units, revenue: parseDecimal(revenue), orders })),
      ).toEqual([{ units: 0, revenue: 0n, orders: 0 }]);
      const brandDays = await stack.store.getMany([{ scope: 'brand', scopeId: model.brandId, ...day }]);
      expect(brandDays.map(({ units, orders }) => ({ units, orders }))).toEqual([{ units: 0, orders: 0 }]);
    }
  });
});
