import type { AggregateStore, BucketAggregate, BucketKey, Grain, ReadOptions, Scope } from './aggregates';

/** Buckets of one grain whose periods start from `from` to `to` (both period start days). */
export interface Segment {
  grain: Grain;
  from: string;
  to: string;
}

/**
 * The fewest buckets that cover the days `from`…`to` exactly: the days before the first whole month, whole
 * months up to the first whole year, whole years, then months and days again. Buckets never reach past the
 * range, so summing them is exact. `coarsest` caps the grain (e.g. `month` for a monthly series).
 */
export function coverRange(from: string, to: string, coarsest: Grain = 'year'): Segment[] {
  if (from > to) return [];
  const firstMonth = from.endsWith('-01') ? from : addMonths(monthOf(from), 1);
  const lastMonth = isMonthEnd(to) ? monthOf(to) : addMonths(monthOf(to), -1);
  if (coarsest === 'day' || firstMonth > lastMonth) return [{ grain: 'day', from, to }];
  const segments: Segment[] = [];
  if (from < firstMonth) segments.push({ grain: 'day', from, to: addDays(firstMonth, -1) });
  segments.push(...coverMonths(firstMonth, lastMonth, coarsest));
  const afterLastMonth = addMonths(lastMonth, 1);
  if (afterLastMonth <= to) segments.push({ grain: 'day', from: afterLastMonth, to });
  return segments;
}

/** Whole months `first`…`last` (start days), as months and, where allowed, whole years. */
function coverMonths(first: string, last: string, coarsest: Grain): Segment[] {
  const firstYear = first.slice(5, 7) === '01' ? first : addMonths(`${first.slice(0, 4)}-01-01`, 12);
  const lastYear = addMonths(`${last.slice(0, 4)}-01-01`, last.slice(5, 7) === '12' ? 0 : -12);
  if (coarsest !== 'year' || firstYear > lastYear) return [{ grain: 'month', from: first, to: last }];
  const segments: Segment[] = [];
  if (first < firstYear) segments.push({ grain: 'month', from: first, to: addMonths(firstYear, -1) });
  segments.push({ grain: 'year', from: firstYear, to: lastYear });
  const afterLastYear = addMonths(lastYear, 12);
  if (afterLastYear <= last) segments.push({ grain: 'month', from: afterLastYear, to: last });
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
 * Every bucket that `coverRange` picks for the range, for each partition (in the order given): the short
 * segments of every partition in one batch of key reads, the long ones by Query. Buckets that do not exist
 * (periods without sales) are simply absent. Without breakdowns, the days at the edges (or of a daily series) are
 * read through their months, whose items carry their days: a year is about 13 items, not 42 (or 365).
 */
export async function bucketsInRange(
  store: AggregateStore,
  partitions: readonly Partition[],
  range: { from: string; to: string },
  options: ReadOptions & { coarsest?: Grain } = {},
): Promise<BucketAggregate[][]> {
  const { coarsest = 'year', breakdowns = true } = options;
  const covered = coverRange(range.from, range.to, coarsest);
  const viaMonths = covered
    .filter((segment) => !breakdowns && segment.grain === 'day')
    .map((segment): Segment => ({ grain: 'month', from: monthOf(segment.from), to: monthOf(segment.to) }));
  const segments = [...covered.filter((segment) => breakdowns || segment.grain !== 'day'), ...viaMonths];
  const byKey = segments.filter((segment) => periodStarts(segment).length <= MAX_PERIODS_BY_KEY);
  const byQuery = segments.filter((segment) => !byKey.includes(segment));
  const keys = partitions.flatMap((partition) =>
    byKey.flatMap((segment) =>
      periodStarts(segment).map((day): BucketKey => ({ ...partition, grain: segment.grain, day })),
    ),
  );
  // Only the months read for their days carry them along.
  const isEdgeMonth = (bucket: { grain: Grain; day: string }) =>
    bucket.grain === 'month' && viaMonths.some((via) => via.from <= bucket.day && bucket.day <= via.to);
  const edgeKeys = keys.filter(isEdgeMonth);
  const wholeKeys = keys.filter((key) => !isEdgeMonth(key));
  const [edges, wholes, ...queried] = await Promise.all([
    edgeKeys.length > 0 ? store.getMany(edgeKeys, { breakdowns, days: true }) : [],
    wholeKeys.length > 0 ? store.getMany(wholeKeys, { breakdowns, days: false }) : [],
    ...partitions.flatMap((partition) =>
      byQuery.map((segment) =>
        store.queryPeriods({ ...partition, ...segment }, { breakdowns, days: viaMonths.includes(segment) }),
      ),
    ),
  ]);
  const all = [...(edges ?? []), ...(wholes ?? []), ...queried.flat()].flatMap((bucket) =>
    isEdgeMonth(bucket) ? daysOf(bucket, range) : [bucket],
  );
  return partitions.map((partition) =>
    all.filter(
      (bucket) =>
        bucket.scope === partition.scope &&
        bucket.scopeId === partition.scopeId &&
        bucket.currency === partition.currency,
    ),
  );
}

/** The days of a month bucket within the range, as day buckets. */
function daysOf(month: BucketAggregate, range: { from: string; to: string }): BucketAggregate[] {
  const { breakdown: _breakdown, days, ...key } = month;
  return Object.entries(days ?? {})
    .filter(([day]) => range.from <= day && day <= range.to)
    .map(([day, [units, revenue, orders]]) => ({ ...key, grain: 'day', day, units, revenue, orders }));
}

/** The first day of every period of a segment. */
function periodStarts(segment: Segment): string[] {
  const step = (day: string) =>
    segment.grain === 'day' ? addDays(day, 1) : addMonths(day, segment.grain === 'month' ? 1 : 12);
  const starts: string[] = [];
  for (let day = segment.from; day <= segment.to && starts.length <= MAX_PERIODS_BY_KEY; day = step(day)) {
    starts.push(day);
  }
  return starts;
}

const monthOf = (day: string) => `${day.slice(0, 7)}-01`;

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
