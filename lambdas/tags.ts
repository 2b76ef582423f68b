import type { Tag } from './shared/route';

/** The OpenAPI tags: one per entity (a route may name another's, as per-model sales do). */
export const TAGS = {
  brands: { name: 'Brands', description: 'Car brands (makers): the top of the catalog' },
  models: { name: 'Models', description: 'Car models, each of one brand' },
  sales: {
    name: 'Sales',
    description: 'Sales of models: single, in batches or imported from CSV, and per period',
  },
  stats: { name: 'Stats', description: 'Revenue, orders and units over UTC days, rankings and brand totals' },
  partners: {
    name: 'Partners',
    description: 'Onboarding of partners (admin): app clients, API keys and their tier of limits',
  },
} as const satisfies Record<string, Tag>;
