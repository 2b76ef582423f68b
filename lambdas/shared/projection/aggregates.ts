/**
 * What "sales per period" is built from: one bucket per scope, period and currency. A period is a UTC day, or a
 * month or year rollup of days, named by its first day, so a long range reads whole months and years plus the
 * days at its edges.
 */
export type Scope = 'model' | 'brand' | 'all';

/** The grains of every scope, finest first: what a range is covered with (`coverRange`). */
export const GRAINS = ['day', 'month', 'year'] as const;
export type CoverGrain = (typeof GRAINS)[number];
/**
 * A dekad is a third of a month: days 1–10, 11–20, 21 to the end; a pentad is half a dekad: days 1–5, 6–10, …,
 * 26 to the end. Only the scopes with breakdowns (brand and all sales) have them: the days at the edge of a range
 * are read there with their breakdowns, so at most 4 days (5 at the end of a 31-day month), a pentad and 2 dekads
 * at each edge instead of up to 30 days. Model buckets read their edge days through their month.
 */
export type Grain = CoverGrain | 'dekad' | 'pentad';

/**
 * The currency of the all-sales buckets that count every sale whatever its currency: their units and orders
 * (and their breakdown's, per brand and model) span currencies, their revenue is always 0 (amounts of different
 * currencies do not add).
 */
export const EVERY_CURRENCY = '*';

export interface BucketKey {
  scope: Scope;
  /** Model or brand id; `all` for the all-sales scope. */
  scopeId: string;
  grain: Grain;
  /**
   * First UTC day of the period, `YYYY-MM-DD`: the day itself, the 1st, 11th or 21st (dekad), the 1st, 6th, …,
   * 26th (pentad), the 1st of the month, 1 January.
   */
  day: string;
  /** ISO 4217 code, or EVERY_CURRENCY. */
  currency: string;
}

/** Figures of one model in a breakdown: `[units, revenue (exact decimal string), orders]`. */
export type PartFigures = [units: number, revenue: string, orders: number];

/**
 * Figures by brand id, then model id: a brand bucket holds its own brand's models, the all-sales bucket every
 * brand's, so one all-sales item answers a ranking of every model. Models without orders are left out.
 */
export type Breakdown = Record<string, Record<string, PartFigures>>;

export interface BucketAggregate extends BucketKey {
  units: number;
  /** Exact decimal string. */
  revenue: string;
  orders: number;
  /** Version of the SQL state this aggregate was copied from; only newer versions replace it. */
  version: number;
  /** Brand and all-sales buckets: figures per model. */
  breakdown?: Breakdown;
  /**
   * Month buckets: the figures of each of its days with orders (`YYYY-MM-DD` → figures), so a range that starts
   * or ends inside the month reads one item instead of its days.
   */
  days?: Record<string, PartFigures>;
  /**
   * Year buckets: the figures of each of its months with orders (first day `YYYY-MM-01` → figures), so totals and
   * monthly series over a range that starts or ends inside the year read one item instead of its months.
   */
  months?: Record<string, PartFigures>;
  /** EVERY_CURRENCY all-sales buckets, instead of a breakdown: every model's figures over every currency. */
  rankings?: Rankings;
}

/**
 * Figures of one model over every currency: `[units, orders, { currency: revenue (exact decimal) }]`, so one item
 * ranks every model by units over every currency and by revenue in any one.
 */
export type RankingFigures = [units: number, orders: number, revenues: Record<string, string>];

/** Ranking figures by brand id, then model id (models without orders left out); each model id is stored once. */
export type Rankings = Record<string, Record<string, RankingFigures>>;

/** The buckets of one scope, currency and grain whose periods start from `from` to `to` inclusive. */
export interface PeriodRange {
  scope: Scope;
  scopeId: string;
  currency: string;
  grain: Grain;
  from: string;
  to: string;
}

export interface ReadOptions {
  /** False leaves the breakdowns out, for answers that need only the totals (smaller reads). Default true. */
  breakdowns?: boolean;
  /** False leaves a month's days and a year's months out, for periods read whole. Default true. */
  subPeriods?: boolean;
}

/** The materialized view of bucket aggregates (DynamoDB in AWS, dynalite locally). */
export interface AggregateStore {
  /** Writes the aggregate unless the store already holds this or a newer version; says which. */
  put(aggregate: BucketAggregate): Promise<'written' | 'stale'>;
  /**
   * Writes aggregates in bulk without a version condition (a bulk write cannot carry one): callers check
   * afterwards that no newer version was projected meanwhile, and repair those buckets with `put`.
   */
  putMany(aggregates: readonly BucketAggregate[]): Promise<void>;
  /** The buckets of a range, in order (one Query, paged). */
  queryPeriods(range: PeriodRange, options?: ReadOptions): Promise<BucketAggregate[]>;
  /** The buckets with these keys that exist, in no particular order (BatchGetItem: one request per 100 keys). */
  getMany(keys: readonly BucketKey[], options?: ReadOptions): Promise<BucketAggregate[]>;
  /** Records that every write committed before `asOf` (ISO instant) is projected; never moves it back. */
  markProjected(asOf: string): Promise<void>;
  /** The instant up to which every committed write is projected, if known. */
  projectedUntil(): Promise<string | null>;
}

export const ALL_SCOPE_ID = 'all';
