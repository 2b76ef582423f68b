import type { CatalogClient } from '../shared/catalog/catalog';
import { apiHandlerFactory } from '../shared/http/api-handler';
import { ok } from '../shared/http/responses';
import type { AggregateStore } from '../shared/projection/aggregates';
import { modelSales } from './model-sales';
import { statsRoutes } from './routes';
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

  /**
   * Adds `asOf` to an answer. It is read before the figures: the projector records it only after writing every
   * bucket of the drain, so figures read afterwards reflect at least everything committed before it.
   */
  async function fresh<T extends object>(answer: () => Promise<T>) {
    const asOf = await store.projectedUntil();
    return ok({ ...(await answer()), asOf });
  }

  return apiHandlerFactory(statsRoutes)('stats', {
    getModelSales: ({ params, query }) =>
      fresh(() =>
        modelSales(store, catalog, canonicalId(params.modelId), {
          ...range(query),
          granularity: query.granularity,
        }),
      ),
    getRevenue: ({ query }) => fresh(() => stats.revenue(range(query))),
    getDailyRevenue: ({ query }) => fresh(() => stats.dailyRevenue(range(query))),
    getTopModels: ({ query }) =>
      fresh(() =>
        stats.topModels({
          ...range(query),
          by: query.by,
          limit: query.limit,
          brandId: query.brandId && canonicalId(query.brandId),
        }),
      ),
    getBrandStats: ({ params, query }) => fresh(() => stats.brand(canonicalId(params.brandId), range(query))),
  });
}

/** UUIDs are case-insensitive (SQL agrees); aggregate keys are not: they hold the lower-case form SQL prints. */
const canonicalId = (id: string) => id.toLowerCase();
