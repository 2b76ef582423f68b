import type { CatalogClient } from '../shared/catalog/catalog';
import { NotFoundError } from '../shared/errors';
import { divideHalfEven, formatDecimal, minorDigits, parseDecimal } from '../shared/money';
import { eachDay } from '../shared/periods';
import {
  type AggregateStore,
  ALL_SCOPE_ID,
  type BucketAggregate,
  EVERY_CURRENCY,
} from '../shared/projection/aggregates';
import { bucketsInRange, type Partition } from '../shared/projection/ranges';

export interface RangeQuery {
  from: string;
  to: string;
  currency: string;
}

interface Figures {
  units: number;
  revenue: bigint;
  orders: number;
}

const zero = (): Figures => ({ units: 0, revenue: 0n, orders: 0 });

/**
 * Revenue, series and rankings from the materialized buckets (days, months, years): each answer reads tens of
 * items of one or two partitions (lambdas/shared/projection/ranges.ts), never depending on the number of sales.
 */
export class Stats {
  constructor(
    private readonly store: AggregateStore,
    private readonly catalog: CatalogClient,
  ) {}

  async revenue(query: RangeQuery) {
    const total = sum(await this.buckets({ scope: 'all', scopeId: ALL_SCOPE_ID, ...query }, false));
    const digits = minorDigits(query.currency);
    return {
      ...query,
      totalRevenue: formatDecimal(total.revenue, digits),
      orders: total.orders,
      units: total.units,
      averageOrderValue: averageOrderValue(total, digits),
    };
  }

  async dailyRevenue(query: RangeQuery) {
    const [days = []] = await bucketsInRange(
      this.store,
      [{ scope: 'all', scopeId: ALL_SCOPE_ID, currency: query.currency }],
      query,
      { coarsest: 'day', breakdowns: false },
    );
    const byDay = new Map(days.map((day) => [day.day, day]));
    const digits = minorDigits(query.currency);
    return {
      ...query,
      days: eachDay(query.from, query.to).map((date) => {
        const day = byDay.get(date);
        return {
          date,
          revenue: formatDecimal(day ? parseDecimal(day.revenue) : 0n, digits),
          orders: day?.orders ?? 0,
          units: day?.units ?? 0,
        };
      }),
    };
  }

  /**
   * Models ranked by units or revenue. Units and orders count every sale, whatever its currency; revenue is the
   * requested currency's, so a model sold only in other currencies ranks by revenue with 0. Read from the rankings
   * of the EVERY_CURRENCY all-sales buckets, which hold every model once: one partition, tens of items.
   */
  async topModels(query: RangeQuery & { by: 'units' | 'revenue'; limit: number; brandId?: string }) {
    const [buckets = []] = await bucketsInRange(
      this.store,
      [{ scope: 'all', scopeId: ALL_SCOPE_ID, currency: EVERY_CURRENCY }],
      query,
    );
    const totals = new Map<string, Figures & { brandId: string }>();
    for (const bucket of buckets) {
      for (const [brandId, models] of Object.entries(bucket.rankings ?? {})) {
        if (query.brandId !== undefined && brandId !== query.brandId) continue;
        for (const [modelId, [units, orders, revenues]] of Object.entries(models)) {
          let figures = totals.get(modelId);
          if (!figures) {
            figures = { brandId, ...zero() };
            totals.set(modelId, figures);
          }
          figures.units += units;
          figures.orders += orders;
          const revenue = revenues[query.currency];
          if (revenue !== undefined) figures.revenue += scaledRevenue(revenue);
        }
      }
    }
    const ranked = [...totals]
      .map(([modelId, { brandId, units, orders, revenue }]) => ({ modelId, brandId, units, orders, revenue }))
      .filter((entry) => entry.orders > 0)
      .sort((a, b) => compareBy(query.by, a, b) || byId(a.modelId, b.modelId))
      .slice(0, query.limit);
    const names = await Promise.all(
      ranked.map((entry) =>
        Promise.all([this.catalog.model(entry.modelId), this.catalog.brand(entry.brandId)]),
      ),
    );
    const digits = minorDigits(query.currency);
    return {
      from: query.from,
      to: query.to,
      currency: query.currency,
      by: query.by,
      brandId: query.brandId ?? null,
      items: ranked.map((entry, i) => ({
        rank: i + 1,
        modelId: entry.modelId,
        modelName: names[i]?.[0].value?.name ?? null,
        brandId: entry.brandId,
        brandName: names[i]?.[1].value?.name ?? null,
        units: entry.units,
        revenue: formatDecimal(entry.revenue, digits),
        orders: entry.orders,
      })),
      namesStale: names.some(([model, brand]) => model.stale || brand.stale),
    };
  }

  async brand(brandId: string, query: RangeQuery) {
    const [brand, days] = await Promise.all([
      this.catalog.brand(brandId),
      this.buckets({ scope: 'brand', scopeId: brandId, ...query }, true),
    ]);
    // Unknown only when the catalog says so; when it does not answer, the figures still do.
    if (!brand.value && !brand.stale) throw new NotFoundError('Brand', brandId);
    const total = sum(days);
    const models = [...breakdownOf(days)]
      .filter(([, figures]) => figures.orders > 0)
      .sort(([idA, a], [idB, b]) => compareBy('revenue', a, b) || byId(idA, idB));
    const names = await Promise.all(models.map(([modelId]) => this.catalog.model(modelId)));
    const digits = minorDigits(query.currency);
    return {
      brandId,
      brandName: brand.value?.name ?? null,
      ...query,
      totals: {
        units: total.units,
        revenue: formatDecimal(total.revenue, digits),
        orders: total.orders,
        averageOrderValue: averageOrderValue(total, digits),
      },
      models: models.map(([modelId, figures], i) => ({
        modelId,
        modelName: names[i]?.value?.name ?? null,
        units: figures.units,
        revenue: formatDecimal(figures.revenue, digits),
        orders: figures.orders,
      })),
      namesStale: brand.stale || names.some((name) => name.stale),
    };
  }

  /** The buckets of one partition covering the range: days at its edges, whole months and years between. */
  private async buckets(partition: Partition & RangeQuery, breakdowns: boolean) {
    const [buckets = []] = await bucketsInRange(this.store, [partition], partition, { breakdowns });
    return buckets;
  }
}

function sum(days: readonly BucketAggregate[]): Figures {
  return days.reduce<Figures>(
    (total, day) => ({
      units: total.units + day.units,
      revenue: total.revenue + parseDecimal(day.revenue),
      orders: total.orders + day.orders,
    }),
    zero(),
  );
}

/** Sums the per-model breakdowns of the buckets covering the range, by model id. */
function breakdownOf(buckets: readonly BucketAggregate[]): Map<string, Figures> {
  const totals = new Map<string, Figures>();
  for (const bucket of buckets) {
    for (const models of Object.values(bucket.breakdown ?? {})) {
      for (const [modelId, [units, revenue, orders]] of Object.entries(models)) {
        let figures = totals.get(modelId);
        if (!figures) {
          figures = zero();
          totals.set(modelId, figures);
        }
        figures.units += units;
        figures.revenue += scaledRevenue(revenue);
        figures.orders += orders;
      }
    }
  }
  return totals;
}

/**
 * `parseDecimal`, quicker for what SQL prints for the parts' numeric sums, four decimals (`12.3400`): the digits
 * without the point are the scaled amount.
 */
function scaledRevenue(text: string): bigint {
  return text.length > 5 && text[text.length - 5] === '.'
    ? BigInt(text.slice(0, -5) + text.slice(-4))
    : parseDecimal(text);
}

function compareBy(by: 'units' | 'revenue', a: Figures, b: Figures): number {
  const byRevenue = a.revenue === b.revenue ? 0 : a.revenue > b.revenue ? -1 : 1;
  const byUnits = b.units - a.units;
  return by === 'units' ? byUnits || byRevenue : byRevenue || byUnits;
}

/** totalRevenue / orders, rounded half-to-even to the currency's minor unit; null without orders. */
function averageOrderValue(total: Figures, digits: number): string | null {
  return total.orders === 0 ? null : divideHalfEven(total.revenue, total.orders, digits);
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
