import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { Currency, Decimal } from '../shared/money';
import { daysBetween, GRANULARITIES } from '../shared/periods';
import { documented, NameText, queryInteger } from '../shared/schemas';

/** Longest ranges: days are bounded tighter than coarser periods, which need fewer, larger buckets. */
export const MAX_DAYS: Record<(typeof GRANULARITIES)[number], number> = {
  day: 3 * 366,
  week: 10 * 366,
  month: 10 * 366,
  year: 10 * 366,
};

const Day = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/** Stats ranges are bounded like daily series: their cost grows with the range, never with the sales. */
export const MAX_STATS_DAYS = 3 * 366;

/** Only two well-formed days make a range: a malformed one is reported once, by its own field. */
const isDay = (value: string) => Day.safeParse(value).success;

function checkRange(query: { from: string; to: string }, maxDays: number, context: core.$RefinementCtx) {
  if (!isDay(query.from) || !isDay(query.to)) return;
  if (query.from > query.to)
    context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  else if (daysBetween(query.from, query.to) > maxDays) {
    context.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${maxDays} days` });
  }
}

/** A whole number in an answer. */
const count = () => z.number().check(z.int());

const range = {
  from: documented(Day.clone(), { description: 'First UTC day, inclusive', example: '2025-03-01' }),
  to: documented(Day.clone(), { description: 'Last UTC day, inclusive', example: '2025-03-31' }),
  currency: documented(z.optional(Currency), { description: 'Defaults to the reporting currency' }),
};

export const StatsRangeQuery = z
  .strictObject(range)
  .check(z.superRefine((query, context) => checkRange(query, MAX_STATS_DAYS, context)));

export const RANK_BY = ['units', 'revenue'] as const;
export const TopModelsQuery = z
  .strictObject({
    ...range,
    by: documented(z._default(z.enum(RANK_BY, { error: `must be one of ${RANK_BY.join(', ')}` }), 'units'), {
      description:
        'units: units of every sale in the range, whatever its currency; revenue: revenue in `currency` only (models sold only in other currencies rank last, with 0)',
    }),
    limit: queryInteger(1, 50, 10),
    brandId: documented(z.optional(z.uuid({ error: 'must be a UUID' })), {
      description: 'Only models of this brand',
    }),
  })
  .check(z.superRefine((query, context) => checkRange(query, MAX_STATS_DAYS, context)));

export const BrandStatsParams = z.strictObject({ brandId: z.uuid({ error: 'must be a UUID' }) });

/** Names come from the catalog, which stats can do without. */
const CatalogName = documented(z.nullable(NameText), {
  description: 'Null when the catalog did not answer and the name was never cached',
});
const Money = Decimal;
const NamesStale = documented(z.boolean(), {
  description:
    'True when the catalog did not answer: names come from an expired cache, or are null when never cached',
});

/** How fresh an answer is: figures are read from the projection, which trails the writes by a moment. */
const AsOf = documented(z.nullable(z.iso.datetime()), {
  description:
    'Every sale committed before this instant is reflected in the figures (later ones may be too); null until the projector has run',
  example: '2025-03-01T10:15:00.000Z',
});

/** Totals, series and brand figures count the sales in the requested currency only. */
export const RevenueStats = documented(
  z.object({
    from: z.iso.date(),
    to: z.iso.date(),
    currency: Currency,
    totalRevenue: Money,
    orders: count(),
    units: count(),
    averageOrderValue: documented(z.nullable(Money), {
      description: 'totalRevenue / orders, rounded half-to-even to the minor unit; null without orders',
    }),
    asOf: AsOf,
  }),
  {
    id: 'RevenueStats',
    description:
      'Revenue, orders and units of the sales in `currency` (sales in other currencies are not counted)',
  },
);

export const DailyRevenue = documented(
  z.object({
    from: z.iso.date(),
    to: z.iso.date(),
    currency: Currency,
    days: z
      .array(z.object({ date: z.iso.date(), revenue: Money, orders: count(), units: count() }))
      .check(z.maxLength(MAX_STATS_DAYS + 1)),
    asOf: AsOf,
  }),
  { id: 'DailyRevenue' },
);

const RankedModel = z.object({
  rank: count(),
  modelId: z.uuid(),
  modelName: CatalogName,
  brandId: z.uuid(),
  brandName: CatalogName,
  units: documented(count(), {
    description: 'Units of every sale of the model in the range, in any currency',
  }),
  revenue: documented(Money.clone(), {
    description: 'Revenue of its sales in `currency` (0 when it sold only in others)',
  }),
  orders: documented(count(), { description: 'Sales of the model in the range, in any currency' }),
});

export const TopModels = documented(
  z.object({
    from: z.iso.date(),
    to: z.iso.date(),
    currency: Currency,
    by: z.enum(RANK_BY),
    brandId: z.nullable(z.uuid()),
    items: z.array(RankedModel).check(z.maxLength(50)),
    namesStale: NamesStale,
    asOf: AsOf,
  }),
  {
    id: 'TopModels',
    description:
      "Models with at least one sale in the range, in any currency. Units and orders count every sale whatever its currency, so nothing sold is left out of a ranking by units; revenue is the requested currency's only (amounts of different currencies are not added).",
  },
);

export const BrandStats = documented(
  z.object({
    brandId: z.uuid(),
    brandName: CatalogName,
    from: z.iso.date(),
    to: z.iso.date(),
    currency: Currency,
    totals: z.object({
      units: count(),
      revenue: Money,
      orders: count(),
      averageOrderValue: z.nullable(Money),
    }),
    models: z.array(
      z.object({
        modelId: z.uuid(),
        modelName: CatalogName,
        units: count(),
        revenue: Money,
        orders: count(),
      }),
    ),
    namesStale: NamesStale,
    asOf: AsOf,
  }),
  {
    id: 'BrandStats',
    description:
      "Totals and per-model figures of the brand's sales in `currency` (other currencies are not counted)",
  },
);

export const ModelSalesQuery = z
  .strictObject({
    from: documented(Day.clone(), { description: 'First UTC day, inclusive', example: '2025-03-01' }),
    to: documented(Day.clone(), { description: 'Last UTC day, inclusive', example: '2025-03-31' }),
    granularity: z._default(
      z.enum(GRANULARITIES, { error: `must be one of ${GRANULARITIES.join(', ')}` }),
      'day',
    ),
    currency: documented(z.optional(Currency), { description: 'Defaults to the reporting currency' }),
  })
  .check(
    z.superRefine((query, context) => {
      if (!isDay(query.from) || !isDay(query.to)) return;
      if (query.from > query.to)
        context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
      else if (daysBetween(query.from, query.to) > MAX_DAYS[query.granularity]) {
        context.addIssue({
          code: 'custom',
          path: ['to'],
          message: `the range may span at most ${MAX_DAYS[query.granularity]} days for granularity ${query.granularity}`,
        });
      }
    }),
  );

const Figures = {
  units: count(),
  revenue: Money,
  orders: count(),
};

export const ModelSales = documented(
  z.object({
    modelId: z.uuid(),
    modelName: CatalogName,
    from: z.iso.date(),
    to: z.iso.date(),
    granularity: z.enum(GRANULARITIES),
    currency: Currency,
    totals: z.object({ ...Figures, averageUnitsPerPeriod: z.number() }),
    periods: z
      .array(
        z.object({
          period: documented(z.string().check(z.maxLength(10)), { example: '2025-W09' }),
          ...Figures,
        }),
      )
      .check(z.maxLength(MAX_DAYS.day + 1)),
    namesStale: NamesStale,
    asOf: AsOf,
  }),
  { id: 'ModelSales' },
);
export type ModelSales = z.infer<typeof ModelSales>;
