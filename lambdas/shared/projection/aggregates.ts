/**
 * What "sales per period" is built from: one bucket per scope, period and currency. A period is a UTC day, or a
 * month or year rollup of days, named by its first day, so a long range reads whole months and years plus the
 * days at its edges.
 */
export type Scope = 'model' | 'brand' | 'all';

export const GRAINS = ['day', 'month', 'year'] as const;
export type Grain = (typeof GRAINS)[number];

export interface BucketKey {
  scope: Scope;
  /** Model or brand id; `all` for the all-sales scope. */
  scopeId: string;
  grain: Grain;
  /** First UTC day of the period, `YYYY-MM-DD` (the day itself, the 1st of the month, 1 January). */
  day: string;
  currency: string;
}

export interface BucketAggregate extends BucketKey {
  units: number;
  /** Exact decimal string. */
  revenue: string;
  orders: number;
  /** Version of the SQL state this aggregate was copied from; only newer versions replace it. */
  version: number;
  /** Brand buckets: figures per model; the all-sales bucket: figures per brand. */
  breakdown?: Breakdown;
}

/** Figures by model or brand id: `[units, revenue, orders]`. */
export type Breakdown = Record<string, [number, string, number]>;

/** The materialized view of bucket aggregates (DynamoDB in AWS, dynalite locally). */
export interface AggregateStore {
  /** Writes the aggregate unless the store already holds this or a newer version; says which. */
  put(aggregate: BucketAggregate): Promise<'written' | 'stale'>;
  /**
   * Writes aggregates in bulk without a version condition (a bulk write cannot carry one): callers check
   * afterwards that no newer version was projected meanwhile, and repair those buckets with `put`.
   */
  putMany(aggregates: readonly BucketAggregate[]): Promise<void>;
  /** Buckets of one grain whose period starts from `from` to `to` inclusive, in order. */
  queryPeriods(
    grain: Grain,
    scope: Scope,
    scopeId: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<BucketAggregate[]>;
  /** Day buckets from `from` to `to` inclusive, in order. */
  queryDays(
    scope: Scope,
    scopeId: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<BucketAggregate[]>;
  /** Records that every write committed before `asOf` (ISO instant) is projected; never moves it back. */
  markProjected(asOf: string): Promise<void>;
  /** The instant up to which every committed write is projected, if known. */
  projectedUntil(): Promise<string | null>;
}

export const ALL_SCOPE_ID = 'all';
