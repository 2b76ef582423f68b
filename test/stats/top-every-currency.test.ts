/**
 * GET /stats/models/top counts units and orders of every sale, whatever its currency; revenue stays the asked
 * currency's. A model sold only in USD must rank by units in a EUR ranking, and its revenue there is 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../lambdas/model/schemas';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, tokenFor } from '../support/http';
import { createModel, postBatch, saleOf } from '../support/sales';

let stack: LocalStack;
let reader: ApiClient;
let euroModel: Model;
let dollarModel: Model;
let mixedModel: Model;

interface Ranked {
  modelId: string;
  units: number;
  revenue: string;
  orders: number;
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, projectorIntervalMs: 0 });
  const admin = api(stack, await tokenFor(stack, 'demo-admin'));
  const writer = api(stack, await tokenFor(stack, 'demo-writer'));
  reader = api(stack, await tokenFor(stack, 'demo-reader'));
  euroModel = await createModel(admin);
  dollarModel = await createModel(admin, euroModel.brandId);
  mixedModel = await createModel(admin);
  const sale = (model: Model, soldAt: string, quantity: number, unitPrice: string, currency: string) =>
    saleOf(model.id, { soldAt, quantity, unitPrice, currency });
  const response = await postBatch(writer, [
    sale(euroModel, '2025-05-02', 3, '100.00', 'EUR'),
    sale(dollarModel, '2025-05-03', 4, '10.00', 'USD'),
    sale(dollarModel, '2025-05-20', 4, '10.00', 'USD'),
    sale(mixedModel, '2025-05-10', 1, '1000.00', 'EUR'),
    sale(mixedModel, '2025-05-11', 5, '5000', 'JPY'),
  ]);
  expect(response.status, response.text).toBe(201);
  await stack.projector.drain();
});

afterAll(async () => {
  await stack?.close();
});

async function top(query: string): Promise<Ranked[]> {
  const response = await reader.get<{ items: Ranked[] }>(
    `/stats/models/top?from=2025-05-01&to=2025-05-31&${query}`,
  );
  expect(response.status, response.text).toBe(200);
  return response.body.items.map(({ modelId, units, revenue, orders }) => ({
    modelId,
    units,
    revenue,
    orders,
  }));
}

describe('GET /stats/models/top', () => {
  it('ranks by units over every currency, with the revenue of the asked one', async () => {
    expect(await top('by=units&currency=EUR')).toEqual([
      { modelId: dollarModel.id, units: 8, revenue: '0.00', orders: 2 },
      { modelId: mixedModel.id, units: 6, revenue: '1000.00', orders: 2 },
      { modelId: euroModel.id, units: 3, revenue: '300.00', orders: 1 },
    ]);
  });

  it('ranks by revenue in the asked currency, units and orders still counting every sale', async () => {
    expect(await top('by=revenue&currency=JPY')).toEqual([
      { modelId: mixedModel.id, units: 6, revenue: '25000', orders: 2 },
      { modelId: dollarModel.id, units: 8, revenue: '0', orders: 2 },
      { modelId: euroModel.id, units: 3, revenue: '0', orders: 1 },
    ]);
  });

  it('counts every currency within one brand too', async () => {
    expect(await top(`by=units&currency=EUR&brandId=${euroModel.brandId}`)).toEqual([
      { modelId: dollarModel.id, units: 8, revenue: '0.00', orders: 2 },
      { modelId: euroModel.id, units: 3, revenue: '300.00', orders: 1 },
    ]);
  });
});
