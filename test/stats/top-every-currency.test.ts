/**
 * GET /stats/models/top counts units and orders of every sale, whatever its currency; revenue stays the asked
 * currency's. A model sold only in USD must rank by units in a EUR ranking, and its revenue there is 0.
 */
import { describe, expect } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import { expectData } from '../support/api';
import { stackTest } from '../support/fixtures';
import { saleOf } from '../support/sales';
import { createModel, postBatch } from '../support/sales-client';

type Model = Schemas['Model'];
type TopQuery = { by: 'units' | 'revenue'; currency: string; brandId?: string };

/** Three models sold in May 2025: one in EUR, one only in USD, one in EUR and JPY. */
const test = stackTest({ projectorIntervalMs: 0 }).extend<{
  models: Record<'euro' | 'dollar' | 'mixed', Model>;
}>({
  models: [
    async ({ stack, admin, writer }, use) => {
      const euro = await createModel(admin);
      const dollar = await createModel(admin, euro.brandId);
      const mixed = await createModel(admin);
      const sale = (model: Model, soldAt: string, quantity: number, unitPrice: string, currency: string) =>
        saleOf(model.id, { soldAt, quantity, unitPrice, currency });
      expectData(
        await postBatch(writer, [
          sale(euro, '2025-05-02', 3, '100.00', 'EUR'),
          sale(dollar, '2025-05-03', 4, '10.00', 'USD'),
          sale(dollar, '2025-05-20', 4, '10.00', 'USD'),
          sale(mixed, '2025-05-10', 1, '1000.00', 'EUR'),
          sale(mixed, '2025-05-11', 5, '5000', 'JPY'),
        ]),
        201,
      );
      await stack.projector.drain();
      await use({ euro, dollar, mixed });
    },
    { scope: 'file' },
  ],
});

async function top(reader: ApiClient, query: TopQuery) {
  const ranking = expectData(
    await reader.GET('/stats/models/top', {
      params: { query: { from: '2025-05-01', to: '2025-05-31', ...query } },
    }),
  );
  return ranking.items.map(({ modelId, units, revenue, orders }) => ({ modelId, units, revenue, orders }));
}

describe('GET /stats/models/top', () => {
  test('ranks by units over every currency, with the revenue of the asked one', async ({
    reader,
    models: { euro, dollar, mixed },
  }) => {
    expect(await top(reader, { by: 'units', currency: 'EUR' })).toEqual([
      { modelId: dollar.id, units: 8, revenue: '0.00', orders: 2 },
      { modelId: mixed.id, units: 6, revenue: '1000.00', orders: 2 },
      { modelId: euro.id, units: 3, revenue: '300.00', orders: 1 },
    ]);
  });

  test('ranks by revenue in the asked currency, units and orders still counting every sale', async ({
    reader,
    models: { euro, dollar, mixed },
  }) => {
    expect(await top(reader, { by: 'revenue', currency: 'JPY' })).toEqual([
      { modelId: mixed.id, units: 6, revenue: '25000', orders: 2 },
      { modelId: dollar.id, units: 8, revenue: '0', orders: 2 },
      { modelId: euro.id, units: 3, revenue: '0', orders: 1 },
    ]);
  });

  test('counts every currency within one brand too', async ({ reader, models: { euro, dollar } }) => {
    expect(await top(reader, { by: 'units', currency: 'EUR', brandId: euro.brandId })).toEqual([
      { modelId: dollar.id, units: 8, revenue: '0.00', orders: 2 },
      { modelId: euro.id, units: 3, revenue: '300.00', orders: 1 },
    ]);
  });
});
