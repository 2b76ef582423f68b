import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import { parseDecimal } from '../../lambdas/shared/money';
import { eachDay } from '../../lambdas/shared/periods';
import {
  type AggregateStore,
  GRAINS,
  type Grain,
  type Scope,
} from '../../lambdas/shared/projection/aggregates';
import {
  DEKAD_START,
  outboxSize,
  PENTAD_START,
  requeueAllBuckets,
} from '../../lambdas/shared/projection/bookkeeping';
import { coverEdgeDays, coverRange } from '../../lambdas/shared/projection/ranges';
import type { Sql } from '../../lambdas/shared/sql/port';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { LOCAL_TABLES } from '../../local/tables';
import { expectData, expectStatus } from '../support/api';
import { clientOf } from '../support/fixtures';
import { CSV_HEADER, csvOf, csvRow, expectConverged, saleOf } from '../support/sales';
import {
  createBrand,
  createModel,
  deleteSale,
  modelSales,
  postBatch,
  postCsv,
  postSale,
} from '../support/sales-client';

type Model = Schemas['Model'];

/** Statements the wrapped SQL port ran while `recording`. */
const recorded = { on: false, statements: [] as string[] };
/** While set, the next bulk write of the store waits for it (a slow projection overtaken by a newer one). */
const gate: { next?: Promise<void>; reached?: () => void } = {};
/** Buckets the store was asked for (keys of key reads, items of Queries) while `on`. */
const reads = { on: false, buckets: 0 };
/** Buckets the store was asked to write (bulk or one by one) while `on`. */
const writes = { on: false, buckets: 0 };

function recordingSql(sql: Sql): Sql {
  const wrap = (inner: Sql): Sql => ({
    query: (text, params) => {
      if (recorded.on) recorded.statements.push(text);
      return inner.query(text, params);
    },
    transaction: (work) => inner.transaction((tx) => work(wrap(tx))),
  });
  return wrap(sql);
}

function gatedStore(store: AggregateStore): AggregateStore {
  return {
    put: (aggregate) => {
      if (writes.on) writes.buckets += 1;
      return store.put(aggregate);
    },
    putMany: async (aggregates) => {
      if (writes.on) writes.buckets += aggregates.length;
      const wait = gate.next;
      if (wait) {
        gate.next = undefined;
        gate.reached?.();
        await wait;
      }
      await store.putMany(aggregates);
    },
    queryPeriods: async (...args) => {
      const buckets = await store.queryPeriods(...args);
      if (reads.on) reads.buckets += buckets.length;
      return buckets;
    },
    getMany: (keys, options) => {
      if (reads.on) reads.buckets += keys.length;
      return store.getMany(keys, options);
    },
    markProjected: (asOf) => store.markProjected(asOf),
    projectedUntil: () => store.projectedUntil(),
  };
}

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let models: Model[];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    projectorIntervalMs: 0,
    wrapSql: recordingSql,
    wrapStore: gatedStore,
  });
  admin = await clientOf(stack, 'demo-admin');
  writer = await clientOf(stack, 'demo-writer');
  const brand = await createBrand(admin);
  models = [await createModel(admin, brand.id), await createModel(admin, brand.id), await createModel(admin)];
});

afterAll(async () => {
  await stack?.close();
});

interface Rollup {
  units: number;
  revenue: bigint;
  orders: number;
  breakdown: Record<string, [number, bigint, number]>;
}

/** Month and year figures of every scope straight from the sales table (GROUP BY), keyed like the store. */
async function expectedRollups(grain: Exclude<Grain, 'day'>): Promise<Map<string, Rollup>> {
  const period = {
    dekad: DEKAD_START('s.sale_day'),
    pentad: PENTAD_START('s.sale_day'),
    month: `date_trunc(:grain, s.sale_day::timestamp)::date`,
    year: `date_trunc(:grain, s.sale_day::timestamp)::date`,
  }[grain];
  const { rows } = await stack.sql.query<{
    scope: Scope;
    scopeId: string;
    part: string | null;
    day: string;
    currency: string;
    units: number;
    revenue: string;
    orders: number;
  }>(
    `WITH s AS (
       SELECT s.*, m.brand_id, ${period}::text AS period
       FROM sales s JOIN models m ON m.id = s.model_id
     )
     SELECT 'model' AS scope, model_id::text AS "scopeId", NULL AS part, period AS day, trim(currency) AS currency,
            sum(quantity)::int AS units, sum(quantity * unit_price)::text AS revenue, count(*)::int AS orders
     FROM s WHERE :grain NOT IN ('dekad', 'pentad') GROUP BY model_id, period, currency
     UNION ALL
     SELECT 'brand', brand_id::text, brand_id || '/' || model_id, period, trim(currency), sum(quantity)::int,
            sum(quantity * unit_price)::text, count(*)::int
     FROM s GROUP BY brand_id, model_id, period, currency
     UNION ALL
     SELECT 'all', 'all', brand_id || '/' || model_id, period, trim(currency), sum(quantity)::int,
            sum(quantity * unit_price)::text, count(*)::int
     FROM s GROUP BY brand_id, model_id, period, currency
     UNION ALL
     SELECT 'all', 'all', brand_id || '/' || model_id, period, '*', sum(quantity)::int, '0', count(*)::int
     FROM s GROUP BY brand_id, model_id, period`,
    { grain },
  );
  const rollups = new Map<string, Rollup>();
  for (const row of rows) {
    const key = `${row.scope}#${row.scopeId}#${row.currency}#${row.day}`;
    const rollup = rollups.get(key) ?? { units: 0, revenue: 0n, orders: 0, breakdown: {} };
    rollup.units += row.units;
    rollup.revenue += parseDecimal(row.revenue);
    rollup.orders += row.orders;
    if (row.part) rollup.breakdown[row.part] = [row.units, parseDecimal(row.revenue), row.orders];
    rollups.set(key, rollup);
  }
  return rollups;
}

/**
 * Asserts every pentad, dekad, month and year bucket in the store equals the GROUP BY (pentads and dekads only for
 * brand and all sales), and no non-empty one is missing.
 */
async function expectRollupsExact() {
  for (const grain of ['pentad', 'dekad', 'month', 'year'] as const) {
    const expected = await expectedRollups(grain);
    const partitions = new Set([...expected.keys()].map((key) => key.split('#').slice(0, 3).join('#')));
    const actual = new Map<string, Rollup>();
    for (const partition of partitions) {
      const [scope, scopeId, currency] = partition.split('#') as [Scope, string, string];
      const range = { scope, scopeId, currency, grain, from: '1900-01-01', to: '2100-12-31' };
      for (const bucket of await stack.store.queryPeriods(range)) {
        if (bucket.orders === 0) continue; // every sale of it deleted
        const breakdown = Object.fromEntries([
          ...Object.entries(bucket.breakdown ?? {}).flatMap(([brandId, models]) =>
            Object.entries(models).map(([modelId, [units, revenue, orders]]) => [
              `${brandId}/${modelId}`,
              [units, parseDecimal(revenue), orders] as [number, bigint, number],
            ]),
          ),
          // Every-currency buckets: units and orders over every currency (their revenue spans currencies: 0).
          ...Object.entries(bucket.rankings ?? {}).flatMap(([brandId, models]) =>
            Object.entries(models).map(([modelId, [units, orders]]) => [
              `${brandId}/${modelId}`,
              [units, 0n, orders] as [number, bigint, number],
            ]),
          ),
        ]);
        actual.set(`${partition}#${bucket.day}`, {
          units: bucket.units,
          revenue: parseDecimal(bucket.revenue),
          orders: bucket.orders,
          breakdown,
        });
      }
    }
    expect(Object.fromEntries(actual), grain).toEqual(Object.fromEntries(expected));
  }
  await expectYearsCarryTheirMonths();
}

/** Each year item's months equal the month rollups of that year (what ranges ending inside a year read). */
async function expectYearsCarryTheirMonths() {
  const months = await expectedRollups('month');
  const expected = new Map<string, Record<string, [number, bigint, number]>>();
  for (const [key, month] of months) {
    const [scope, scopeId, currency, day = ''] = key.split('#');
    const year = `${scope}#${scopeId}#${currency}#${day.slice(0, 4)}-01-01`;
    expected.set(year, { ...expected.get(year), [day]: [month.units, month.revenue, month.orders] });
  }
  const actual = new Map<string, Record<string, [number, bigint, number]>>();
  for (const year of expected.keys()) {
    const [scope, scopeId, currency, day = ''] = year.split('#') as [Scope, string, string, string];
    const [bucket] = await stack.store.getMany([{ scope, scopeId, currency, grain: 'year', day }]);
    actual.set(
      year,
      Object.fromEntries(
        Object.entries(bucket?.months ?? {}).map(([month, [units, revenue, orders]]) => [
          month,
          [units, parseDecimal(revenue), orders] as [number, bigint, number],
        ]),
      ),
    );
  }
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
}

describe('Function: coverRange', () => {
  it('covers ranges at both ends of the calendar (years 0998–1000 and 9998–9999) with real days only', () => {
    const edge = (minYear: number, maxYear: number) =>
      fc
        .integer({ min: Date.UTC(minYear, 0, 1), max: Date.UTC(maxYear, 11, 31) })
        .map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
    for (const dayArb of [edge(998, 1000), edge(9998, 9999)]) {
      fc.assert(
        fc.property(dayArb, dayArb, fc.constantFrom(...GRAINS), (a, b, coarsest) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const segments = coverRange(from, to, coarsest);
          expect(segments.every((s) => from <= s.from && s.from <= s.to && s.to <= to)).toBe(true);
          const covered = segments.flatMap((segment) =>
            eachDay(segment.from, segment.to)
              .filter((day) => periodStart(day, segment.grain) === day)
              .flatMap((start) => eachDay(start, periodEnd(start, segment.grain))),
          );
          expect(covered).toEqual(eachDay(from, to));
        }),
      );
    }
  });

  const dayArb = fc
    .integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2027, 11, 31) })
    .map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));

  it('covers every day of the range exactly once, with buckets that lie inside it', () => {
    fc.assert(
      fc.property(dayArb, dayArb, fc.constantFrom(...GRAINS), (a, b, coarsest) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const covered = coverRange(from, to, coarsest).flatMap((segment) =>
          eachDay(segment.from, segment.to)
            .filter((day) => periodStart(day, segment.grain) === day)
            .flatMap((start) => eachDay(start, periodEnd(start, segment.grain))),
        );
        expect(covered).toEqual(eachDay(from, to));
        expect(
          coverRange(from, to, coarsest).every((s) => GRAINS.indexOf(s.grain) <= GRAINS.indexOf(coarsest)),
        ).toBe(true);
      }),
    );
  });

  it('reads a whole year as one bucket and three years as three, edges as months and days', () => {
    expect(coverRange('2025-01-01', '2025-12-31')).toEqual([
      { grain: 'year', from: '2025-01-01', to: '2025-01-01' },
    ]);
    expect(coverRange('2023-01-01', '2025-12-31')).toEqual([
      { grain: 'year', from: '2023-01-01', to: '2025-01-01' },
    ]);
    expect(coverRange('2024-03-15', '2025-12-31')).toEqual([
      { grain: 'day', from: '2024-03-15', to: '2024-03-31' },
      { grain: 'month', from: '2024-04-01', to: '2024-12-01' },
      { grain: 'year', from: '2025-01-01', to: '2025-01-01' },
    ]);
    expect(coverRange('2025-03-02', '2025-03-30')).toEqual([
      { grain: 'day', from: '2025-03-02', to: '2025-03-30' },
    ]);
  });
});

describe('Function: coverEdgeDays', () => {
  it('covers every day once with whole dekads and pentads and at most 4 days at the start and 5 at the end of a month', () => {
    const dayIn = (minYear: number, maxYear: number) =>
      fc
        .integer({ min: Date.UTC(minYear, 0, 1), max: Date.UTC(maxYear, 11, 31) })
        .map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
    const starts = { dekad: ['01', '11', '21'], pentad: ['01', '06', '11', '16', '21', '26'] };
    for (const dayArb of [dayIn(2023, 2025), dayIn(9999, 9999), dayIn(1000, 1000)]) {
      fc.assert(
        fc.property(dayArb, fc.integer({ min: 0, max: 62 }), (from, length) => {
          const to = plusDays(from, length);
          const segments = coverEdgeDays(from, to);
          const covered = segments.flatMap(({ grain, from, to }) =>
            grain === 'day'
              ? eachDay(from, to)
              : eachDay(from, to)
                  .filter((day) => (grain === 'dekad' ? starts.dekad : starts.pentad).includes(day.slice(8)))
                  .flatMap((start) => eachDay(start, splitEnd(start, grain === 'dekad' ? 10 : 5))),
          );
          expect(covered).toEqual(eachDay(from, to));
          for (const month of new Set(eachDay(from, to).map((day) => day.slice(0, 7)))) {
            const within = (grain: Grain) =>
              segments
                .filter((segment) => segment.grain === grain)
                .flatMap((segment) => eachDay(segment.from, segment.to))
                .filter(
                  (day) => day.startsWith(month) && (grain === 'day' || starts.pentad.includes(day.slice(8))),
                );
            // The last pentad of a 31-day month has 6 days, so up to 5 days can remain before the range's end.
            expect(within('day').length).toBeLessThanOrEqual(4 + 5);
            expect(within('pentad').length).toBeLessThanOrEqual(2);
          }
        }),
      );
    }
  });

  it('reads the bench year of rankings as 5 edge days, a pentad, 2 dekads and 11 months', () => {
    expect(coverEdgeDays('2024-12-15', '2024-12-31')).toEqual([
      { grain: 'day', from: '2024-12-15', to: '2024-12-15' },
      { grain: 'pentad', from: '2024-12-16', to: '2024-12-16' },
      { grain: 'dekad', from: '2024-12-21', to: '2024-12-21' },
    ]);
    expect(coverEdgeDays('2025-12-01', '2025-12-14')).toEqual([
      { grain: 'dekad', from: '2025-12-01', to: '2025-12-01' },
      { grain: 'day', from: '2025-12-11', to: '2025-12-14' },
    ]);
    expect(coverEdgeDays('2025-02-02', '2025-02-28')).toEqual([
      { grain: 'day', from: '2025-02-02', to: '2025-02-05' },
      { grain: 'pentad', from: '2025-02-06', to: '2025-02-06' },
      { grain: 'dekad', from: '2025-02-11', to: '2025-02-21' },
    ]);
  });
});

describe('month and year rollups', () => {
  it('stay exact through single sales, batches, CSV imports and deletes across months and years', async () => {
    const sales = [
      saleOf(models[0]?.id ?? '', { soldAt: '2024-12-31T23:30:00-02:00', quantity: 2, unitPrice: '10.10' }),
      saleOf(models[1]?.id ?? '', { soldAt: '2025-01-31', quantity: 3, unitPrice: '99.99' }),
      saleOf(models[2]?.id ?? '', { soldAt: '2025-02-01', quantity: 1, unitPrice: '5.00', currency: 'USD' }),
      saleOf(models[0]?.id ?? '', { soldAt: '2025-02-28', quantity: 4, unitPrice: '1.25' }),
    ];
    const single = expectData(await postSale(writer, sales[0] ?? saleOf('')), 201);
    expectStatus(await postBatch(writer, sales.slice(1)), 201);
    expectStatus(await postCsv(writer, csvOf(CSV_HEADER, sales.map(csvRow))), 201);
    expectStatus(await deleteSale(admin, single.id), 204);
    await stack.projector.drain();

    await expectConverged(stack);
    await expectRollupsExact();
  });

  it('a projection reads buckets and parts only, never the sales table, however many sales a day holds', async () => {
    const model = models[1] as Model;
    const busyDay = Array.from({ length: 200 }, (_, i) =>
      saleOf(model.id, { soldAt: '2025-06-01', quantity: 1 + (i % 3), unitPrice: '10.00' }),
    );
    expectStatus(await postBatch(writer, busyDay), 201);
    await stack.projector.drain();

    recorded.statements.length = 0;
    recorded.on = true;
    const sale = await postSale(writer, saleOf(model.id, { soldAt: '2025-06-01', quantity: 1 }));
    await requeueAllBuckets(stack.sql);
    await stack.projector.drain();
    recorded.on = false;

    expectStatus(sale, 201);
    expect(recorded.statements.length).toBeGreaterThan(0);
    // Statements reading the sales table are the write's lookups by key (read-back by id, externalIds taken).
    const readsSales = recorded.statements.filter((text) => /\bFROM\s+sales\b(?!_)/i.test(text));
    expect(readsSales.length).toBeGreaterThan(0);
    for (const text of readsSales)
      expect(text).toMatch(/WHERE (id IN|submitted_by = :clientId AND external_id IN)/);
    expect(recorded.statements.some((text) => /sum\(s\.quantity/.test(text))).toBe(false);
    await expectConverged(stack);
    await expectRollupsExact();
  });

  it('copies a bucket named by many outbox rows once per drain, across pages', async () => {
    const model = models[1] as Model;
    expectStatus(await postSale(writer, saleOf(model.id, { soldAt: '2025-07-09', quantity: 2 })), 201);
    await stack.projector.drain();
    const buckets = await requeueAllBuckets(stack.sql);
    await requeueAllBuckets(stack.sql);
    await requeueAllBuckets(stack.sql);

    writes.buckets = 0;
    writes.on = true;
    // Pages of 7 rows: the three rows of a bucket land in different pages.
    const projected = await stack.projector.drain(7);
    writes.on = false;

    expect(projected).toBe(3 * buckets);
    expect(writes.buckets).toBe(buckets);
    expect(await outboxSize(stack.sql)).toBe(0);
    await expectConverged(stack);
  });

  it('repairs a bucket when a slow bulk write lands after a newer projection (no regression)', async () => {
    const model = models[0] as Model;
    let release = () => {};
    gate.next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reached = new Promise<void>((resolve) => {
      gate.reached = resolve;
    });

    // The first sale's projection reads its buckets, then stalls before its bulk write...
    const first = postSale(writer, saleOf(model.id, { soldAt: '2025-07-04', quantity: 1 }));
    await reached;
    // ...while a second sale of the same buckets is written and projected right away.
    const second = await postSale(writer, saleOf(model.id, { soldAt: '2025-07-04', quantity: 5 }));
    expectStatus(second, 201);
    release();
    expectStatus(await first, 201);

    // No drain: the stalled projection saw its write was older than SQL's version and copied the bucket again.
    expect(await outboxSize(stack.sql)).toBe(0);
    const [july] = await stack.store.getMany([
      { scope: 'model', scopeId: model.id, currency: 'EUR', grain: 'month', day: '2025-07-01' },
    ]);
    expect(july?.units).toBe(6);
    await expectConverged(stack);
    await expectRollupsExact();
  });
});

describe('ranges read through the periods that carry theirs', () => {
  const threeYears = { from: '2023-01-15', to: '2026-01-14' };

  /** The answers of the questions over totals and monthly series, and how many buckets they read. */
  async function totalsAndMonthlySeries(model: Model) {
    reads.buckets = 0;
    reads.on = true;
    try {
      const revenue = expectData(await admin.GET('/stats/revenue', { params: { query: threeYears } }));
      const monthly = expectData(await modelSales(admin, model.id, { ...threeYears, granularity: 'month' }));
      return {
        answers: [
          { ...revenue, asOf: null },
          { ...monthly, asOf: null },
        ],
        buckets: reads.buckets,
      };
    } finally {
      reads.on = false;
    }
  }

  it('reads three years of totals or of a monthly series as five items: two edge months and three years', async () => {
    const model = models[0] as Model;
    const sales = ['2023-01-20', '2023-06-30', '2024-02-29', '2025-11-30', '2026-01-10', '2026-01-20'].map(
      (soldAt) => saleOf(model.id, { soldAt, quantity: 1, unitPrice: '12.34' }),
    );
    expectStatus(await postBatch(writer, sales), 201);
    await stack.projector.drain();

    const { answers, buckets } = await totalsAndMonthlySeries(model);
    // Per question: January 2023 and January 2026 (their days), 2023 (its months), 2024 and 2025 (whole).
    expect(buckets).toBe(2 * 5);
    const [revenue, monthly] = answers as unknown as [{ orders: number }, { periods: { orders: number }[] }];
    const { rows } = await stack.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales WHERE currency = 'EUR' AND sale_day BETWEEN :from::date AND :to::date`,
      threeYears,
    );
    expect(revenue.orders).toBe(rows[0]?.n);
    expect(monthly.periods).toHaveLength(37);
    expect(monthly.periods.reduce((sum, period) => sum + period.orders, 0)).toBeGreaterThanOrEqual(5);
  });

  it('reads a year of rankings or of a brand breakdown as 5 edge days, a pentad, 2 dekads and 11 months', async () => {
    const model = models[1] as Model;
    const year = { from: '2024-12-15', to: '2025-12-14' };
    const days = [
      '2024-12-15',
      '2024-12-17',
      '2024-12-20',
      '2024-12-25',
      '2025-06-15',
      '2025-12-05',
      '2025-12-14',
      '2025-12-15',
    ];
    expectStatus(
      await postBatch(
        writer,
        days.map((soldAt) => saleOf(model.id, { soldAt, quantity: 2, unitPrice: '10.00' })),
      ),
      201,
    );
    await stack.projector.drain();
    const read = async <T>(ask: () => Promise<T>) => {
      reads.buckets = 0;
      reads.on = true;
      try {
        return { answer: await ask(), buckets: reads.buckets };
      } finally {
        reads.on = false;
      }
    };
    const top = await read(async () =>
      expectData(await admin.GET('/stats/models/top', { params: { query: { ...year, by: 'units' } } })),
    );
    const brand = await read(async () =>
      expectData(
        await admin.GET('/stats/brands/{brandId}', {
          params: { path: { brandId: model.brandId }, query: year },
        }),
      ),
    );
    expect(top.buckets).toBe(19);
    expect(brand.buckets).toBe(19);
    const { rows } = await stack.sql.query<{ units: number }>(
      `SELECT coalesce(sum(quantity), 0)::int AS units FROM sales
       WHERE model_id = :modelId::uuid AND sale_day BETWEEN :from::date AND :to::date`,
      { modelId: model.id, ...year },
    );
    expect(top.answer.items.find((item) => item.modelId === model.id)?.units).toBe(rows[0]?.units);
    expect(brand.answer.models.find((item) => item.modelId === model.id)?.units).toBe(rows[0]?.units);
  });

  it('reads every-currency items stored before their rankings were compact (breakdown and revenues apart)', async () => {
    const key = {
      scope: 'all' as const,
      scopeId: 'all',
      currency: '*',
      grain: 'month' as const,
      day: '2025-12-01',
    };
    const [current] = await stack.store.getMany([key]);
    const { rankings, days, breakdown: _none, ...figures } = current as Required<NonNullable<typeof current>>;
    expect(Object.keys(rankings)).not.toHaveLength(0);
    // The old shape: a breakdown with revenue '0', and the revenues apart by currency, then model.
    const breakdown: Record<string, Record<string, [number, string, number]>> = {};
    const revenues: Record<string, Record<string, string>> = {};
    for (const [brandId, models] of Object.entries(rankings)) {
      breakdown[brandId] = {};
      for (const [modelId, [units, orders, byCurrency]] of Object.entries(models)) {
        breakdown[brandId][modelId] = [units, '0', orders];
        for (const [currency, revenue] of Object.entries(byCurrency)) {
          revenues[currency] = { ...revenues[currency], [modelId]: revenue };
        }
      }
    }
    expect(Object.keys(revenues)).not.toHaveLength(0);
    await stack.dynamo.documents.send(
      new PutCommand({
        TableName: LOCAL_TABLES.aggregates,
        Item: {
          pk: 'all#all#*',
          sk: 'MONTH#2025-12-01',
          ...figures,
          days: JSON.stringify(days),
          breakdown: JSON.stringify(breakdown),
          revenues: JSON.stringify(revenues),
        },
      }),
    );
    const [legacy] = await stack.store.getMany([key]);
    expect(legacy).toEqual(current);
    await stack.store.putMany([current as NonNullable<typeof current>]);
  });

  it('stays exact while year items still lack their months (projected before years carried them)', async () => {
    const model = models[0] as Model;
    const before = await totalsAndMonthlySeries(model);
    const years = (
      await Promise.all(
        [
          { scope: 'all' as const, scopeId: 'all' },
          { scope: 'model' as const, scopeId: model.id },
        ].map((partition) =>
          stack.store.queryPeriods({ ...partition, currency: 'EUR', grain: 'year', ...threeYears }),
        ),
      )
    ).flat();
    expect(years.length).toBeGreaterThan(0);
    await stack.store.putMany(years.map(({ months: _months, ...year }) => year));

    const after = await totalsAndMonthlySeries(model);
    expect(after.answers).toEqual(before.answers);
    expect(after.buckets).toBeGreaterThan(before.buckets);
    await requeueAllBuckets(stack.sql);
    await stack.projector.drain();
    await expectRollupsExact();
  });
});

describe('asOf on stats and per-model answers', () => {
  it('claims only what a finished drain proves: writes committed before it are in the figures', async () => {
    const model = models[2] as Model;
    await stack.projector.drain();
    const august = { from: '2025-08-01', to: '2025-08-31' };
    const revenue = async () => expectData(await admin.GET('/stats/revenue', { params: { query: august } }));
    const perModel = async () =>
      expectData(await modelSales(admin, model.id, { ...august, granularity: 'month' }));
    const drained = (await revenue()).asOf ?? '';
    expect(Date.parse(drained)).not.toBeNaN();

    const beforeWrite = new Date().toISOString();
    const written = await postSale(writer, saleOf(model.id, { soldAt: '2025-08-08', quantity: 2 }));
    expectStatus(written, 201);
    // Not drained yet: asOf still says the last drain, which started before the write.
    expect((await revenue()).asOf).toBe(drained);
    expect((await perModel()).asOf).toBe(drained);
    expect(drained < beforeWrite).toBe(true);

    await stack.projector.drain();
    const after = await revenue();
    expect((after.asOf ?? '') >= beforeWrite).toBe(true);
    expect(after.orders).toBeGreaterThan(0);
    expect((await perModel()).asOf).toBe(after.asOf);
  });
});

/** The day `days` after `day`, at most 9999-12-31. */
function plusDays(day: string, days: number): string {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000);
  return next.getUTCFullYear() > 9999 ? '9999-12-31' : next.toISOString().slice(0, 10);
}

/** The last day of the dekad (`length` 10) or pentad (5) starting on `start`: the month's last for its last one. */
function splitEnd(start: string, length: number): string {
  const lastStart = length === 10 ? '21' : '26';
  if (!start.endsWith(`-${lastStart}`)) return plusDays(start, length - 1);
  const date = new Date(0);
  date.setUTCFullYear(Number(start.slice(0, 4)), Number(start.slice(5, 7)), 0);
  return date.toISOString().slice(0, 10);
}

function periodStart(day: string, grain: Grain): string {
  if (grain === 'day') return day;
  return grain === 'month' ? `${day.slice(0, 7)}-01` : `${day.slice(0, 4)}-01-01`;
}

function periodEnd(start: string, grain: Grain): string {
  const date = new Date(`${start}T00:00:00Z`);
  if (grain === 'month') date.setUTCMonth(date.getUTCMonth() + 1);
  else if (grain === 'year') date.setUTCFullYear(date.getUTCFullYear() + 1);
  else date.setUTCDate(date.getUTCDate() + 1);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
