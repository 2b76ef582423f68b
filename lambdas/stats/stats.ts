import type { CatalogClient } from '../shared/catalog/catalog';
import { NotFoundError } from '../shared/errors';
import { divideHalfEven, formatDecimal, minorDigits, parseDecimal } from '../shared/money';
import { eachDay } from '../shared/periods';
import { type AggregateStore, ALL_SCOPE_ID, type BucketAggregate } from '../shared/projection/aggregates';
import { bucketsInRange } from '../shared/projection/ranges';

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
 * Revenue, series and rankings from the materialized buckets (days, months, years): each answer is a few
 * Queries of tens of items (for rankings, per brand), never depending on the number of sales.
 */
export class Stats {
  constructor(
    private readonly store: AggregateStore,
    private readonly catalog: CatalogClient,
  ) {}

  async revenue(query: RangeQuery) {
    const total = sum(await this.allDays(query));
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
    const days = await this.store.queryDays('all', ALL_SCOPE_ID, query.currency, query.from, query.to);
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

  async topModels(query: RangeQuery & { by: 'units' | 'revenue'; limit: number; brandId?: string }) {
    const brandIds = query.brandId ? [query.brandId] : [...breakdownOf(await this.allDays(query)).keys()];
    const perBrand = await Promise.all(
      brandIds.map(async (brandId) => ({
        brandId,
        models: breakdownOf(await this.brandDays(brandId, query)),
      })),
    );
    const ranked = perBrand
      .flatMap(({ brandId, models }) =>
        [...models].map(([modelId, figures]) => ({ modelId, brandId, ...figures })),
      )
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
    const [brand, days] = await Promise.all([this.catalog.brand(brandId), this.brandDays(brandId, query)]);
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

  /** The all-sales buckets covering the range: days at its edges, whole months and years between. */
  private allDays(query: RangeQuery) {
    return bucketsInRange(
      this.store,
      { scope: 'all', scopeId: ALL_SCOPE_ID, ...query },
      query.from,
      query.to,
    );
  }

  private brandDays(brandId: string, query: RangeQuery) {
    return bucketsInRange(this.store, { scope: 'brand', scopeId: brandId, ...query }, query.from, query.to);
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

/** Sums the per-id breakdowns of the buckets covering the range. */
function breakdownOf(days: readonly BucketAggregate[]): Map<string, Figures> {
  const totals = new Map<string, Figures>();
  for (const day of days) {
    for (const [id, [units, revenue, orders]] of Object.entries(day.breakdown ?? {})) {
      const figures = totals.get(id) ?? zero();
      totals.set(id, {
        units: figures.units + units,
        revenue: figures.revenue + parseDecimal(revenue),
        orders: figures.orders + orders,
      });
    }
  }
  return totals;
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
