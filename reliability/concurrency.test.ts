/**
 * Many concurrent writers on the SAME model and day: single sales, batches and imports from several clients,
 * deletes and duplicate (same Idempotency-Key) requests, all at once, with projections landing in random order.
 * Afterwards the aggregates of every scope (model, brand, all) equal a GROUP BY over the SQL sales exactly, in
 * DynamoDB and through the stats endpoints, before any scheduled drain and after it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiClient, Schemas } from '../client';
import { parseDecimal } from '../lambdas/shared/money';
import { loadClients } from '../local/auth';
import type { LocalStack } from '../local/stack';
import { type AnyResponse, expectData, rawOf } from '../test/support/api';
import { stackTest } from '../test/support/fixtures';
import { jitter, StoreFaults } from './support/faults';
import { expectConverged, rowCounts } from './support/state';

const PARTNERS = ['partner-north', 'partner-south'];
const DAY = '2025-09-15';
/** Instants that all fall on DAY in UTC, written with different offsets. */
const INSTANTS = [
  `${DAY}T00:00:00Z`,
  `${DAY}T23:59:59.999Z`,
  `${DAY}T12:00:00+05:00`,
  `${DAY}T01:30:00+01:30`,
  `${DAY}T10:00:00-08:00`,
  '2025-09-14T23:00:00-02:00',
  '2025-09-16T01:00:00+02:00',
  DAY,
];

const storeFaults = new StoreFaults();
const test = stackTest({
  projectorIntervalMs: 0,
  wrapStore: storeFaults.wrap,
  clients: [
    ...loadClients(),
    ...PARTNERS.map((clientId) => ({
      clientId,
      clientSecret: `${clientId}-secret`,
      scopes: ['sales-api/read', 'sales-api/write'],
    })),
  ],
});

let stack: LocalStack;
let clients: ApiClient[];
let admin: ApiClient;
let brands: Schemas['Brand'][];
/** [A1, A2] of brand A, [B1] of brand B. */
let models: Schemas['Model'][];

test.beforeAll(async ({ stack: started, admin: demoAdmin, writer, clientOf }) => {
  stack = started;
  admin = demoAdmin;
  clients = [writer, admin, ...(await Promise.all(PARTNERS.map((clientId) => clientOf(clientId))))];
  brands = [];
  for (const name of ['Concurrent Cars', 'Parallel Motors']) {
    brands.push(expectData(await admin.POST('/brands', { body: { name } }), 201));
  }
  const [a, b] = brands as [Schemas['Brand'], Schemas['Brand']];
  models = [];
  for (const [brandId, name] of [
    [a.id, 'Hot One'],
    [a.id, 'Hot Two'],
    [b.id, 'Other'],
  ] as const) {
    models.push(expectData(await admin.POST('/models', { body: { brandId, name } }), 201));
  }
  // Projections land in random order, so older versions often arrive after newer ones.
  storeFaults.hook = jitter(12);
});

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;

function sale(i: number, modelId = pick(models, 0).id, currency = i % 7 === 0 ? 'USD' : 'EUR') {
  return {
    modelId,
    soldAt: pick(INSTANTS, i),
    quantity: (i % 5) + 1,
    unitPrice: `${1000 + (i % 97)}.${String(i % 100).padStart(2, '0')}`,
    currency,
  };
}

const csvOf = (sales: ReturnType<typeof sale>[]) =>
  `modelId,soldAt,quantity,unitPrice,currency\n${sales
    .map((s) => `${s.modelId},${s.soldAt},${s.quantity},${s.unitPrice},${s.currency}`)
    .join('\n')}\n`;

/** Figures for DAY in `currency` straight from SQL, for one model, one brand, or everything. */
async function truth(currency: string, where: { modelId?: string; brandId?: string } = {}) {
  const { rows } = await stack.sql.query<{ units: number; revenue: string; orders: number }>(
    `SELECT coalesce(sum(s.quantity), 0)::bigint AS units, coalesce(sum(s.quantity * s.unit_price), 0)::text AS revenue,
            count(*)::int AS orders
     FROM sales s JOIN models m ON m.id = s.model_id
     WHERE s.sale_day = :day::date AND (:currency = '*' OR s.currency = :currency)
       AND (:modelId = '' OR s.model_id::text = :modelId) AND (:brandId = '' OR m.brand_id::text = :brandId)`,
    { day: DAY, currency, modelId: where.modelId ?? '', brandId: where.brandId ?? '' },
  );
  const row = rows[0] ?? { units: 0, revenue: '0', orders: 0 };
  return { units: row.units, revenue: parseDecimal(row.revenue), orders: row.orders };
}

/** The stats endpoints agree with SQL for every model, every brand and the whole day. */
async function expectStatsMatchSql(currency: string) {
  const reader = admin;
  const range = { from: DAY, to: DAY, currency };
  for (const model of models) {
    const { totals } = expectData(
      await reader.GET('/models/{modelId}/sales', { params: { path: { modelId: model.id }, query: range } }),
    );
    const { units, revenue, orders } = totals;
    expect({ units, revenue: parseDecimal(revenue), orders }, `model ${model.name}`).toEqual(
      await truth(currency, { modelId: model.id }),
    );
  }
  for (const brand of brands) {
    const stats = expectData(
      await reader.GET('/stats/brands/{brandId}', { params: { path: { brandId: brand.id }, query: range } }),
    );
    const { units, revenue, orders } = stats.totals;
    expect({ units, revenue: parseDecimal(revenue), orders }, `brand ${brand.name}`).toEqual(
      await truth(currency, { brandId: brand.id }),
    );
    for (const entry of stats.models) {
      expect(
        { units: entry.units, revenue: parseDecimal(entry.revenue), orders: entry.orders },
        `brand ${brand.name} model ${entry.modelId}`,
      ).toEqual(await truth(currency, { modelId: entry.modelId }));
    }
  }
  const revenue = expectData(await reader.GET('/stats/revenue', { params: { query: range } }));
  expect({
    units: revenue.units,
    revenue: parseDecimal(revenue.totalRevenue),
    orders: revenue.orders,
  }).toEqual(await truth(currency));
  const top = expectData(
    await reader.GET('/stats/models/top', { params: { query: { ...range, by: 'revenue', limit: 50 } } }),
  );
  // Units and orders of a ranking count every currency ('*'); revenue is the currency's.
  for (const item of top.items) {
    const everyCurrency = await truth('*', { modelId: item.modelId });
    expect(
      { units: item.units, revenue: parseDecimal(item.revenue), orders: item.orders },
      `top ${item.modelId}`,
    ).toEqual({ ...everyCurrency, revenue: (await truth(currency, { modelId: item.modelId })).revenue });
  }
}

async function expectExact() {
  // Before any scheduled drain: the inline projections alone must have converged.
  expect((await rowCounts(stack.sql)).outbox).toBe(0);
  await expectConverged(stack, { versions: true });
  for (const currency of ['EUR', 'USD']) await expectStatsMatchSql(currency);
  expect(await stack.projector.drain()).toBe(0);
  await expectConverged(stack, { versions: true });
}

describe('many concurrent writers on the same model and day', () => {
  it('50 sales, 10 batches, 3 imports, 10 deletes and a stampede of duplicates at once: aggregates exact', async () => {
    const [a1, a2, b1] = models as [Schemas['Model'], Schemas['Model'], Schemas['Model']];
    const doomed: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      doomed.push(expectData(await pick(clients, i).POST('/sales', { body: sale(1000 + i) }), 201).id);
    }
    const before = (await rowCounts(stack.sql)).sales;

    const work: Promise<[string, AnyResponse]>[] = [];
    const label = (name: string, request: Promise<AnyResponse>) =>
      work.push(request.then((response): [string, AnyResponse] => [name, response]));
    for (let i = 0; i < 50; i += 1) label(`sale ${i}`, pick(clients, i).POST('/sales', { body: sale(i) }));
    for (let i = 0; i < 10; i += 1) {
      const sales = Array.from({ length: 20 }, (_, j) =>
        sale(100 + i * 20 + j, pick([a1.id, a1.id, a2.id, b1.id], j)),
      );
      label(`batch ${i}`, pick(clients, i + 1).POST('/sales/batch', { body: { sales } }));
    }
    for (let i = 0; i < 3; i += 1) {
      const sales = Array.from({ length: 100 }, (_, j) => sale(500 + i * 100 + j, pick([a1.id, a2.id], j)));
      label(
        `import ${i}`,
        pick(clients, i + 2).POST('/sales/import', {
          body: csvOf(sales),
          bodySerializer: (csv) => String(csv),
          headers: { 'content-type': 'text/csv' },
        }),
      );
    }
    doomed.forEach((id, i) => {
      label(`delete ${i}`, pick(clients, i).DELETE('/sales/{saleId}', { params: { path: { saleId: id } } }));
    });
    for (let i = 0; i < 6; i += 1) {
      label(
        `duplicate ${i}`,
        pick(clients, 0).POST('/sales', { body: sale(999), headers: { 'idempotency-key': 'stampede' } }),
      );
    }

    const results = (await Promise.all(work)).map(([name, result]) => [name, rawOf(result)] as const);
    for (const [name, response] of results) {
      if (name.startsWith('duplicate'))
        expect([201, 409], `${name}: ${response.text}`).toContain(response.status);
      else expect(response.status, `${name}: ${response.text}`).toBeGreaterThanOrEqual(200);
      expect(response.status, `${name}: ${response.text}`).toBeLessThan(
        name.startsWith('duplicate') ? 410 : 300,
      );
    }
    const duplicates = results.filter(([name, r]) => name.startsWith('duplicate') && r.status === 201);
    expect(duplicates.length).toBeGreaterThan(0);
    expect(new Set(duplicates.map(([, r]) => (r.body as Schemas['Sale']).id)).size).toBe(1);
    expect((await rowCounts(stack.sql)).sales).toBe(before + 50 + 200 + 300 - 10 + 1);

    await expectExact();
    // Out-of-order projections did happen (and were refused by the version check).
    expect(storeFaults.stale).toBeGreaterThan(0);
  });

  it('property: random mixes of concurrent writes and deletes from several clients stay exact', async () => {
    const live: { id: string; owner: number }[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('sale' as const), i: fc.nat(10_000), client: fc.nat() }),
            fc.record({
              kind: fc.constant('batch' as const),
              i: fc.nat(10_000),
              n: fc.integer({ min: 1, max: 15 }),
              client: fc.nat(),
            }),
            fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
          ),
          { minLength: 5, maxLength: 40 },
        ),
        async (ops) => {
          const requests = ops.map(async (op) => {
            if (op.kind === 'delete') {
              const target = live.splice(op.pick % Math.max(1, live.length), 1)[0];
              if (!target) return;
              const response = await pick(clients, target.owner).DELETE('/sales/{saleId}', {
                params: { path: { saleId: target.id } },
              });
              expect(response.response.status, JSON.stringify(response.error)).toBe(204);
              return;
            }
            const client = pick(clients, op.client);
            const modelIds = models.map((model) => model.id);
            if (op.kind === 'sale') {
              const created = expectData(
                await client.POST('/sales', { body: sale(op.i, pick(modelIds, op.i)) }),
                201,
              );
              live.push({ id: created.id, owner: op.client % clients.length });
            } else {
              const sales = Array.from({ length: op.n }, (_, j) => sale(op.i + j, pick(modelIds, op.i + j)));
              const { items } = expectData(await client.POST('/sales/batch', { body: { sales } }), 201);
              live.push(...items.map((s) => ({ id: s.id, owner: op.client % clients.length })));
            }
          });
          await Promise.all(requests);
          await expectExact();
        },
      ),
      { numRuns: 6 },
    );
  });
});
