import type { CachedCatalog } from '../shared/catalog/catalog';
import { createApiHandler } from '../shared/http/api-handler';
import { ok } from '../shared/http/responses';
import type { AggregateStore } from '../shared/projection/aggregates';
import { modelSales } from './model-sales';

export interface StatsDeps {
  store: AggregateStore;
  catalog: CachedCatalog;
  reportingCurrency: string;
}

export function createStatsHandler({ store, catalog, reportingCurrency }: StatsDeps) {
  return createApiHandler('stats', {
    getModelSales: async ({ params, query }) =>
      ok(
        await modelSales(store, catalog, params.modelId, {
          from: query.from,
          to: query.to,
          granularity: query.granularity,
          currency: query.currency ?? reportingCurrency,
        }),
      ),
  });
}
