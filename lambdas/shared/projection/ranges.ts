import type {
  AggregateStore,
  BucketAggregate,
  BucketKey,
  CoverGrain,
  Grain,
  ReadOptions,
  Scope,
} from './aggregates';

/** Buckets of one grain whose periods start from `from` to `to` (both period start days). */
export interface Segment<G extends Grain = Grain> {
  grain: G;
  from: string;
  to: string;
}

/**
 * The fewest buckets that cover the days `from`…`to` exactly: the days before the first whole month, whole
 * months up to the first whole year, whole years, then months and days again. Buckets never reach past the
 * range, so summing them is exact. `coarsest` caps the grain (e.g. `month` for a monthly series).
 */
export function coverRange(from: string, to: string, coarsest: CoverGrain = 'year'): Segment<CoverGrain>[] {
  if (from > to) return [];
  const firstMonth = from.endsWith('-01') ? from : addMonths(monthOf(from), 1);
  const lastMonth = isMonthEnd(to) ? monthOf(to) : addMonths(monthOf(to), -1);
  if (coarsest === 'day' || firstMonth > lastMonth) return [{ grain: 'day', from, to }];
  const segments: Segment<CoverGrain>[] = [];
  if (from < firstMonth) segments.push({ grain: 'day', from, to: addDays(firstMonth, -1) });
  segments.push(...coverMonths(firstMonth, lastMonth, coarsest));
  const afterLastMonth = addMonths(lastMonth, 1);
  if (afterLastMonth <= to) segments.push({ grain: 'day', from: afterLastMonth, to });
  return segments;
}

/** Whole months `first`…`last` (start days), as months and, where allowed, whole years. */
function coverMonths(first: string, last: string, coarsest: CoverGrain): Segment<CoverGrain>[] {
  const firstYear = first.slice(5, 7) === '01' ? first : addMonths(`${first.slice(0, 4)}-01-01`, 12);
  const lastYear = addMonths(`${last.slice(0, 4)}-01-01`, last.slice(5, 7) === '12' ? 0 : -12);
  if (coarsest !== 'year' || firstYear > lastYear) return [{ grain: 'month', from: first, to: last }];
  const segments: Segment<CoverGrain>[] = [];
  if (first < firstYear) segments.push({ grain: 'month', from: first, to: addMonths(firstYear, -1) });
  segments.push({ grain: 'year', from: firstYear, to: lastYear });
  const afterLastYear = addMonths(lastYear, 12);
  if (afterLastYear <= last) segments.push({ grain: 'month', from: afterLastYear, to: last });
  return segments;
}

/**
 * The days `from`…`to` as whole dekads (1st–10th, 11th–20th, 21st–end), whole pentads (their halves: 1st–5th,
 * 6th–10th, …, 26th–end) and the days outside them, in order: at most 4 days, a pentad and 2 dekads at each end
 * of a month's part (5 days before the end of a 31-day month, whose last pentad has 6 days). Consecutive periods of
 * one grain form one segment.
 */
export function coverEdgeDays(from: string, to: string): Segment[] {
  const segments: Segment[] = [];
  for (let day = from; day <= to; ) {
    const grain = EDGE_PERIODS.find(({ startOf, endOf }) => startOf(day) === day && endOf(day) <= to)?.grain;
    const last = segments.at(-1);
    if (last?.grain === (grain ?? 'day')) last.to = day;
    else segments.push({ grain: grain ?? 'day', from: day, to: day });
    day = addDays(grain ? periodOf(grain).endOf(day) : day, 1);
  }
  return segments;
}

/** The buckets of one scope and currency. */
export interface Partition {
  scope: Scope;
  scopeId: string;
  currency: string;
}

/**
 * Segments of at most this many periods are read by key (BatchGetItem, 100 keys a request); longer ones (a daily
 * series) by one Query each. So a range of a stats question — days at the edges, months, years — costs one
 * request per partition or less, whatever the number of sales.
 */
const MAX_PERIODS_BY_KEY = 40;

/**
 * How one segment of the cover is read: its own buckets, or (`carried`) the coarser buckets that carry its
 * periods' figures: a month its days, a year its months.
 */
interface Read {
  segment: Segment;
  carried?: Segment;
}

/**
 * Every bucket that `coverRange` picks for the range, for each partition (in the order given): the short
 * segments of every partition in one batch of key reads, the long ones by Query. Buckets that do not exist
 * (periods without sales) are simply absent. With breakdowns, the days at the edges are read as dekads, pentads and
 * the days around them (only brand and all-sales scopes have those). Without breakdowns, the days at the edges are
 * read through their months, which carry their days, and whole months through their years, which carry their
 * months: a year or three of totals or of a monthly series is at most two months and a year per calendar year,
 * not 13 or 37 items.
 */
export async function bucketsInRange(
  store: AggregateStore,
  partitions: readonly Partition[],
  range: { from: string; to: string },
  options: ReadOptions & { coarsest?: CoverGrain } = {},
): Promise<BucketAggregate[][]> {
  const { coarsest = 'year', breakdowns = true } = options;
  const edgePeriods = coarsest !== 'day' && partitions.every((partition) => partition.scope !== 'model');
  const reads = coverRange(range.from, range.to, coarsest).flatMap((segment): Read[] => {
    if (!breakdowns) return [readThroughCarrier(segment)];
    if (segment.grain === 'day' && edgePeriods)
      return coverEdgeDays(segment.from, segment.to).map((part) => ({ segment: part }));
    return [{ segment }];
  });
  const byKey = reads.filter((read) => periodStarts(read.segment).length <= MAX_PERIODS_BY_KEY);
  const byQuery = reads.filter((read) => !byKey.includes(read));
  const keysOf = (carrying: boolean) =>
    partitions.flatMap((partition) =>
      byKey
        .filter((read) => (read.carried !== undefined) === carrying)
        .flatMap((read) =>
          periodStarts(read.segment).map(
            (day): BucketKey => ({ ...partition, grain: read.segment.grain, day }),
          ),
        ),
    );
  const [carriers, wholes, ...queried] = await Promise.all([
    getAll(store, keysOf(true), { breakdowns, subPeriods: true }),
    getAll(store, keysOf(false), { breakdowns, subPeriods: false }),
    ...partitions.flatMap((partition) =>
      byQuery.map((read) =>
        store.queryPeriods({ ...partition, ...read.segment }, { breakdowns, subPeriods: !!read.carried }),
      ),
    ),
  ]);
  const read = [...carriers, ...wholes, ...queried.flat()];
  const all = [
    ...read.flatMap((bucket) => {
      const carried = reads.find((each) => each.carried && holds(each.segment, bucket))?.carried;
      return carried ? carriedBy(bucket, carried) : [bucket];
    }),
    ...(await monthsOfLegacyYears(store, read, reads)),
  ];
  return partitions.map((partition) =>
    all.filter(
      (bucket) =>
        bucket.scope === partition.scope &&
        bucket.scopeId === partition.scopeId &&
        bucket.currency === partition.currency,
    ),
  );
}

/** Days through their months, months through their years; years are read as they are. */
function readThroughCarrier(segment: Segment): Read {
  if (segment.grain === 'year') return { segment };
  const carrier: Grain = segment.grain === 'day' ? 'month' : 'year';
  const start = segment.grain === 'day' ? monthOf : yearOf;
  return { segment: { grain: carrier, from: start(segment.from), to: start(segment.to) }, carried: segment };
}

async function getAll(store: AggregateStore, keys: readonly BucketKey[], options: ReadOptions) {
  return keys.length > 0 ? store.getMany(keys, options) : [];
}

/** Whether the bucket is one of the segment's (same grain, period start within it). */
const holds = (segment: Segment, bucket: { grain: Grain; day: string }) =>
  bucket.grain === segment.grain && segment.from <= bucket.day && bucket.day <= segment.to;

/** The days of a month, or the months of a year, that the segment holds, as buckets of their own. */
function carriedBy(carrier: BucketAggregate, segment: Segment): BucketAggregate[] {
  const { breakdown: _breakdown, rankings: _rankings, days, months, ...key } = carrier;
  return Object.entries((segment.grain === 'day' ? days : months) ?? {})
    .filter(([day]) => segment.from <= day && day <= segment.to)
    .map(([day, [units, revenue, orders]]) => ({
      ...key,
      grain: segment.grain,
      day,
      units,
      revenue,
      orders,
    }));
}

/**
 * The months of years whose items do not carry them yet (projected before years did; migration 0005 queues them
 * again), read by key: the answer stays exact until the projector has rewritten them.
 */
async function monthsOfLegacyYears(
  store: AggregateStore,
  read: readonly BucketAggregate[],
  reads: readonly Read[],
): Promise<BucketAggregate[]> {
  const keys = read
    .filter((bucket) => bucket.grain === 'year' && !bucket.months)
    .flatMap((year) => {
      const months = reads.find(
        (each) => each.carried?.grain === 'month' && holds(each.segment, year),
      )?.carried;
      if (!months) return [];
      const within = {
        grain: 'month' as const,
        from: max(months.from, year.day),
        to: min(months.to, lastMonthOf(year.day)),
      };
      const { scope, scopeId, currency } = year;
      return periodStarts(within).map(
        (day): BucketKey => ({ scope, scopeId, currency, grain: 'month', day }),
      );
    });
  return getAll(store, keys, { breakdowns: false, subPeriods: false });
}

/** The first day of every period of a segment. */
function periodStarts(segment: Segment): string[] {
  const step = (day: string) => {
    if (segment.grain === 'day') return addDays(day, 1);
    if (segment.grain === 'dekad' || segment.grain === 'pentad')
      return addDays(periodOf(segment.grain).endOf(day), 1);
    return addMonths(day, segment.grain === 'month' ? 1 : 12);
  };
  const starts: string[] = [];
  for (let day = segment.from; day <= segment.to && starts.length <= MAX_PERIODS_BY_KEY; day = step(day)) {
    starts.push(day);
  }
  return starts;
}

/** A period that splits a month at fixed days of the month, its last one running to the month's end. */
interface EdgePeriod {
  grain: 'dekad' | 'pentad';
  /** The first day of the period that holds `day`. */
  startOf(day: string): string;
  /** The last day of the period starting on `start`. */
  endOf(start: string): string;
}

/** Dekads and pentads, coarsest first: every dekad is two whole pentads. */
const EDGE_PERIODS: readonly EdgePeriod[] = [splitOfMonth('dekad', 10, 3), splitOfMonth('pentad', 5, 6)];
const periodOf = (grain: EdgePeriod['grain']) =>
  EDGE_PERIODS.find((period) => period.grain === grain) as EdgePeriod;

function splitOfMonth(grain: EdgePeriod['grain'], length: number, perMonth: number): EdgePeriod {
  const lastStart = 1 + length * (perMonth - 1);
  return {
    grain,
    startOf: (day) => {
      const start = 1 + length * Math.min(Math.floor((Number(day.slice(8)) - 1) / length), perMonth - 1);
      return `${day.slice(0, 8)}${String(start).padStart(2, '0')}`;
    },
    endOf: (start) =>
      Number(start.slice(8)) === lastStart ? lastDayOfMonth(start) : addDays(start, length - 1),
  };
}

const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
function lastDayOfMonth(day: string): string {
  const date = new Date(0);
  date.setUTCFullYear(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 0);
  return isoDay(date);
}
const yearOf = (day: string) => `${day.slice(0, 4)}-01-01`;
const lastMonthOf = (yearStart: string) => `${yearStart.slice(0, 4)}-12-01`;
const min = (a: string, b: string) => (a < b ? a : b);
const max = (a: string, b: string) => (a > b ? a : b);

function addMonths(monthStart: string, months: number): string {
  const date = new Date(`${monthStart}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return isoDay(date);
}

function addDays(day: string, days: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
}

/**
 * A day as `YYYY-MM-DD`, which compares as a string. Past the calendar's ends (a step from 9999-12 or 0000-01)
 * it is a day after or before every real one, so a range at either end is covered by the days it holds.
 */
function isoDay(date: Date): string {
  const year = date.getUTCFullYear();
  if (year > 9999) return '9999-99-99';
  if (year < 0) return '0000-00-00';
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

const isMonthEnd = (day: string) => addDays(day, 1).endsWith('-01');
