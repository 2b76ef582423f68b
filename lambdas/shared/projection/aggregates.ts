/** What "sales per period" is built from: one bucket per scope, UTC day and currency. */
export type Scope = 'model' | 'brand' | 'all';

export interface BucketKey {
  scope: Scope;
  /** Model or brand id; `all` for the all-sales scope. */
  scopeId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  currency: string;
}

export interface DayAggregate extends BucketKey {
  units: number;
  /** Exact decimal string. */
  revenue: string;
  orders: number;
  /** Version of the SQL state this aggregate was computed from; only newer versions replace it. */
  version: number;
  /** Brand buckets: figures per model; the all-sales bucket: figures per brand. */
  breakdown?: Breakdown;
}

/** Figures by model or brand id: `[units, revenue, orders]`. */
export type Breakdown = Record<string, [number, string, number]>;

/** The materialized view of per-day aggregates (DynamoDB in AWS, dynalite locally). */
export interface AggregateStore {
  /** Writes the aggregate unless the store already holds this or a newer version; says which. */
  put(aggregate: DayAggregate): Promise<'written' | 'stale'>;
  /** Days from `from` to `to` inclusive that have a bucket, in order. */
  queryDays(
    scope: Scope,
    scopeId: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<DayAggregate[]>;
}

export const ALL_SCOPE_ID = 'all';
