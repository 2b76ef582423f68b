import type { CatalogClient } from '../shared/catalog/catalog';
import { NotFoundError } from '../shared/errors';
import { divideHalfEven, formatDecimal, minorDigits, parseDecimal } from '../shared/money';
import { type Granularity, periodOf, periodsOf } from '../shared/periods';
import type { AggregateStore, CoverGrain } from '../shared/projection/aggregates';
import { bucketsInRange } from '../shared/projection/ranges';
import type { ModelSales } from './schemas';

export interface PeriodQuery {
  from: string;
  to: string;
  granularity: Granularity;
  currency: string;
}

/**
 * The coarsest bucket that always lies inside one period of the granularity: days for daily and weekly series
 * (weeks cross months), months for monthly ones, years for yearly ones.
 */
const COARSEST: Record<Granularity, CoverGrain> = { day: 'day', week: 'day', month: 'month', year: 'year' };

/** Per-model sales per period, from the materialized buckets: a few Queries, never SQL. */
export async function modelSales(
  store: AggregateStore,
  catalog: CatalogClient,
  modelId: string,
  query: PeriodQuery,
): Promise<Omit<ModelSales, 'asOf'>> {
  const [model, [days = []]] = await Promise.all([
    catalog.model(modelId),
    bucketsInRange(store, [{ scope: 'model', scopeId: modelId, currency: query.currency }], query, {
      coarsest: COARSEST[query.granularity],
      breakdowns: false,
    }),
  ]);
  // Unknown only when the catalog says so; when it does not answer, the figures still do.
  if (!model.value && !model.stale) throw new NotFoundError('Model', modelId);

  const labels = periodsOf(query.from, query.to, query.granularity);
  const sums = new Map(labels.map((label) => [label, { units: 0, revenue: 0n, orders: 0 }]));
  for (const day of days) {
    const sum = sums.get(periodOf(day.day, query.granularity));
    if (!sum) continue;
    sum.units += day.units;
    sum.revenue += parseDecimal(day.revenue);
    sum.orders += day.orders;
  }
  const digits = minorDigits(query.currency);
  const periods = labels.map((period) => {
    const sum = sums.get(period) ?? { units: 0, revenue: 0n, orders: 0 };
    return { period, units: sum.units, revenue: formatDecimal(sum.revenue, digits), orders: sum.orders };
  });
  const units = periods.reduce((total, period) => total + period.units, 0);
  const revenue = [...sums.values()].reduce((total, sum) => total + sum.revenue, 0n);
  const orders = periods.reduce((total, period) => total + period.orders, 0);
  return {
    modelId,
    modelName: model.value?.name ?? null,
    ...query,
    totals: {
      units,
      revenue: formatDecimal(revenue, digits),
      orders,
      averageUnitsPerPeriod: Number(divideHalfEven(BigInt(units) * 10_000n, labels.length, 2)),
    },
    periods,
    namesStale: model.stale,
  };
}
