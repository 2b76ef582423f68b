import type { Tag } from './shared/route';

/** The OpenAPI tags: one per entity (a route may name another's, as per-model sales do); one constant each, so a function's bundle carries only its own. */
export const BRANDS_TAG: Tag = { name: 'Brands', description: 'Car brands (makers): the top of the catalog' };
export const MODELS_TAG: Tag = { name: 'Models', description: 'Car models, each of one brand' };
export const SALES_TAG: Tag = {
  name: 'Sales',
  description: 'Sales of models: single, in batches or imported from CSV, and per period',
};
export const STATS_TAG: Tag = {
  name: 'Stats',
  description: 'Revenue, orders and units over UTC days, rankings and brand totals',
};
export const PARTNERS_TAG: Tag = {
  name: 'Partners',
  description: 'Onboarding of partners (admin): app clients, API keys and their tier of limits',
};
