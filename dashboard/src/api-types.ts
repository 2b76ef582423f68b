import type * as z from 'zod';
// The schemas' `.meta({ override })` is typed by zod-openapi's augmentation of zod.
import type {} from 'zod-openapi';
import type { BrandPage } from '../../lambdas/brand/schemas';
import type { ModelPage } from '../../lambdas/model/schemas';
import type { Problem } from '../../lambdas/shared/problem-schema';
import type {
  BrandStats,
  DailyRevenue,
  ModelSales,
  RevenueStats,
  TopModels,
} from '../../lambdas/stats/schemas';

export type RevenueStatsBody = z.infer<typeof RevenueStats>;
export type DailyRevenueBody = z.infer<typeof DailyRevenue>;
export type TopModelsBody = z.infer<typeof TopModels>;
export type BrandStatsBody = z.infer<typeof BrandStats>;
export type ModelSalesBody = z.infer<typeof ModelSales>;
export type BrandPageBody = z.infer<typeof BrandPage>;
export type ModelPageBody = z.infer<typeof ModelPage>;
export type ProblemBody = z.infer<typeof Problem>;
