import { z } from 'zod';
import { Currency } from '../sales/schemas';
import { daysBetween, GRANULARITIES } from '../shared/periods';

/** Longest ranges: days are bounded tighter than coarser periods, which need fewer, larger buckets. */
export const MAX_DAYS: Record<(typeof GRANULARITIES)[number], number> = {
  day: 3 * 366,
  week: 10 * 366,
  month: 10 * 366,
  year: 10 * 366,
};

const Day = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

export const ModelSalesQuery = z
  .strictObject({
    from: Day.meta({ description: 'First UTC day, inclusive', example: '2025-03-01' }),
    to: Day.meta({ description: 'Last UTC day, inclusive', example: '2025-03-31' }),
    granularity: z
      .enum(GRANULARITIES, { error: `must be one of ${GRANULARITIES.join(', ')}` })
      .default('day'),
    currency: Currency.optional().meta({ description: 'Defaults to the reporting currency' }),
  })
  .superRefine((query, context) => {
    if (query.from > query.to)
      context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    else if (daysBetween(query.from, query.to) > MAX_DAYS[query.granularity]) {
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the range may span at most ${MAX_DAYS[query.granularity]} days for granularity ${query.granularity}`,
      });
    }
  });

const Figures = {
  units: z.number().int(),
  revenue: z.string().meta({ description: 'Exact decimal string in the currency' }),
  orders: z.number().int(),
};

export const ModelSales = z
  .object({
    modelId: z.uuid(),
    from: z.iso.date(),
    to: z.iso.date(),
    granularity: z.enum(GRANULARITIES),
    currency: z.string(),
    totals: z.object({ ...Figures, averageUnitsPerPeriod: z.number() }),
    periods: z.array(z.object({ period: z.string(), ...Figures })),
  })
  .meta({ id: 'ModelSales' });
export type ModelSales = z.infer<typeof ModelSales>;
