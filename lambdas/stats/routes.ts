import { ModelParams } from '../model/schemas';
import { entityRoutes, problem } from '../shared/route';
import { SALES_TAG, STATS_TAG } from '../tags';
import {
  BrandStats,
  BrandStatsParams,
  DailyRevenue,
  ModelSales,
  ModelSalesQuery,
  RevenueStats,
  StatsRangeQuery,
  TopModels,
  TopModelsQuery,
} from './schemas';

/** The routes of the stats function (its part of the route table, lambdas/routes.ts). */
export const statsRoutes = entityRoutes('stats', STATS_TAG, {
  getModelSales: {
    method: 'GET',
    path: '/models/{modelId}/sales',
    access: 'read',
    tag: SALES_TAG,
    summary: 'Units, revenue and orders of a model per day, ISO week, month or year (zero-filled)',
    params: ModelParams,
    query: ModelSalesQuery,
    responses: {
      200: { description: 'Per-period sales of the model', schema: ModelSales },
      404: problem('No such model'),
      503: problem('The catalog is unavailable'),
    },
  },
  getRevenue: {
    method: 'GET',
    path: '/stats/revenue',
    access: 'read',
    summary: 'Total revenue, orders, units and average order value between two UTC days',
    query: StatsRangeQuery,
    responses: { 200: { description: 'Revenue figures', schema: RevenueStats } },
  },
  getDailyRevenue: {
    method: 'GET',
    path: '/stats/revenue/daily',
    access: 'read',
    summary: 'Revenue, orders and units per UTC day (zero-filled)',
    query: StatsRangeQuery,
    responses: { 200: { description: 'Daily series', schema: DailyRevenue } },
  },
  getTopModels: {
    method: 'GET',
    path: '/stats/models/top',
    access: 'read',
    summary: 'Models ranked by units or revenue, optionally of one brand',
    query: TopModelsQuery,
    responses: { 200: { description: 'Ranking with model and brand names', schema: TopModels } },
  },
  getBrandStats: {
    method: 'GET',
    path: '/stats/brands/{brandId}',
    access: 'read',
    summary: 'Totals of a brand and its per-model breakdown',
    params: BrandStatsParams,
    query: StatsRangeQuery,
    responses: {
      200: { description: 'Brand figures', schema: BrandStats },
      404: problem('No such brand'),
      503: problem('The catalog is unavailable and the brand is not cached'),
    },
  },
});
