import { createApiHandler } from '../api';
import type { CatalogClient } from '../shared/catalog/catalog';
import { ok } from '../shared/http/responses';
import type { AggregateStore } from '../shared/projection/aggregates';
import { modelSales } from './model-sales';
import { Stats } from './stats';

export interface StatsDeps {
  store: AggregateStore;
  catalog: CatalogClient;
  reportingCurrency: string;
}

export function createStatsHandler({ store, catalog, reportingCurrency }: StatsDeps) {
  const stats = new Stats(store, catalog);
  const range = (query: { from: string; to: string; currency?: string | undefined }) => ({
    from: query.from,
    to: query.to,
    currency: query.currency ?? reportingCurrency,
  });

  return createApiHandler('stats', {
    getModelSales: async ({ params, query }) =>
      ok(
        await modelSales(store, catalog, canonicalId(params.modelId), {
          ...range(query),
          granularity: query.granularity,
        }),
      ),
    getRevenue: async ({ query }) => ok(await stats.revenue(range(query))),
    getDailyRevenue: async ({ query }) => ok(await stats.dailyRevenue(range(query))),
    getTopModels: async ({ query }) =>
      ok(
        await stats.topModels({
          ...range(query),
          by: query.by,
          limit: query.limit,
          brandId: query.brandId && canonicalId(query.brandId),
        }),
      ),
    getBrandStats: async ({ params, query }) =>
      ok(await stats.brand(canonicalId(params.brandId), range(query))),
  });
}

/** UUIDs are case-insensitive (SQL agrees); aggregate keys are not: they hold the lower-case form SQL prints. */
const canonicalId = (id: string) => id.toLowerCase();
