/**
 * Read latency against data volume: per-model sales and stats through the local gateway at 10k, 100k and 1M
 * sales (answered from the materialized day buckets, so they should stay flat), beside the SQL GROUP BY over
 * the sales table answering the same question (which grows with the sales).
 *
 *   npx tsx bench/latency-vs-volume.ts [--quick]   BENCH_VOLUMES=10000,100000,1000000, BENCH_SAMPLES, BENCH_SQL_SAMPLES
 */
import type { Scope } from '../lambdas/shared/projection/aggregates';
import { bucketsBetween } from '../lambdas/shared/projection/bookkeeping';
import { coverRange } from '../lambdas/shared/projection/ranges';
import type { Sql } from '../lambdas/shared/sql/port';
import {
  type Catalog,
  catalogStack,
  fmt,
  type LoadPhases,
  listOption,
  loadSales,
  median,
  numberOption,
  percentile,
  ratioText,
  timedRequest,
  tokenFor,
} from './lib';
import { type Benchmark, type Check, runAlone } from './report';

const MAX_GROWTH = 1.3;
/** One year of days inside the two-year window of the generated sales. */
const YEAR = { from: '2025-01-01', to: '2025-12-31' };

interface Question {
  name: string;
  /** The API path for the i-th sample (per-model sales rotates over the models). */
  path: (i: number) => string;
  /** The same question as SQL over the sales table. */
  sql: (i: number) => { text: string; params: Record<string, string> };
  /** Cross-checks the API's answer against SQL's, so a drain that missed buckets cannot look fast. */
  agree: (api: unknown, sql: Record<string, unknown>[]) => string | undefined;
  /** Which DynamoDB buckets (per request, on average) the API reads: the bucket scopes and how many ids share them. */
  buckets: { scopes: Scope[]; perRequestOf: number };
}

function questions(catalog: Catalog): Question[] {
  const modelAt = (i: number) => catalog.models[i % catalog.models.length]?.id ?? '';
  return [
    {
      name: 'GET /models/{id}/sales (day, 1 year)',
      path: (i) => `/models/${modelAt(i)}/sales?from=${YEAR.from}&to=${YEAR.to}&granularity=day`,
      sql: (i) => ({
        text: `SELECT sale_day AS day, sum(quantity)::int AS units, sum(quantity * unit_price)::text AS revenue,
                      count(*)::int AS orders
               FROM sales WHERE model_id = :modelId::uuid AND currency = 'EUR'
                 AND sale_day BETWEEN :from::date AND :to::date
               GROUP BY sale_day ORDER BY sale_day`,
        params: { modelId: modelAt(i), ...YEAR },
      }),
      agree: (api, rows) => {
        const orders = rows.reduce((sum, row) => sum + Number(row.orders), 0);
        const got = (api as { totals: { orders: number } }).totals.orders;
        return got === orders ? undefined : `orders ${got}, SQL ${orders}`;
      },
      buckets: { scopes: ['model'], perRequestOf: catalog.models.length },
    },
    {
      name: 'GET /stats/revenue (1 year)',
      path: () => `/stats/revenue?from=${YEAR.from}&to=${YEAR.to}`,
      sql: () => ({
        text: `SELECT coalesce(sum(quantity * unit_price), 0)::numeric(30, 2)::text AS revenue, count(*)::int AS orders,
                      coalesce(sum(quantity), 0)::int AS units
               FROM sales WHERE currency = 'EUR' AND sale_day BETWEEN :from::date AND :to::date`,
        params: YEAR,
      }),
      agree: (api, rows) => {
        const { totalRevenue, orders } = api as { totalRevenue: string; orders: number };
        const row = rows[0] ?? {};
        return totalRevenue === row.revenue && orders === row.orders
          ? undefined
          : `revenue ${totalRevenue}/${orders}, SQL ${String(row.revenue)}/${String(row.orders)}`;
      },
      buckets: { scopes: ['all'], perRequestOf: 1 },
    },
    {
      name: 'GET /stats/models/top (by revenue, 1 year)',
      path: () => `/stats/models/top?from=${YEAR.from}&to=${YEAR.to}&by=revenue&limit=10`,
      sql: () => ({
        text: `SELECT s.model_id AS "modelId", m.name AS "modelName", b.name AS "brandName",
                      sum(s.quantity)::int AS units, sum(s.quantity * s.unit_price)::text AS revenue, count(*)::int AS orders
               FROM sales s JOIN models m ON m.id = s.model_id JOIN brands b ON b.id = m.brand_id
               WHERE s.currency = 'EUR' AND s.sale_day BETWEEN :from::date AND :to::date
               GROUP BY s.model_id, m.name, b.name
               ORDER BY sum(s.quantity * s.unit_price) DESC, s.model_id LIMIT 10`,
        params: YEAR,
      }),
      agree: (api, rows) => {
        const items = (api as { items: { modelId: string }[] }).items.map((item) => item.modelId);
        const expected = rows.map((row) => String(row.modelId));
        return items.join() === expected.join()
          ? undefined
          : `ranking ${items.join()} vs SQL ${expected.join()}`;
      },
      buckets: { scopes: ['all', 'brand'], perRequestOf: 1 },
    },
  ];
}

interface Measurement {
  sales: number;
  /** Day buckets (items) one request reads from DynamoDB, on average. */
  bucketsRead: number;
  apiP50: number;
  apiP90: number;
  sqlP50: number;
  apiSamples: number[];
  sqlSamples: number[];
}

async function bucketsRead(sql: Sql, question: Question): Promise<number> {
  let buckets = 0;
  for (const segment of coverRange(YEAR.from, YEAR.to)) {
    buckets += await bucketsBetween(sql, question.buckets.scopes, 'EUR', segment);
  }
  return buckets / question.buckets.perRequestOf;
}

async function sqlTimes(sql: Sql, question: Question, samples: number) {
  const times: number[] = [];
  let rows: Record<string, unknown>[] = [];
  for (let i = 0; i < samples; i++) {
    const { text, params } = question.sql(i);
    const t0 = performance.now();
    rows = (await sql.query<Record<string, unknown>>(text, params)).rows;
    times.push(performance.now() - t0);
  }
  return { times, rows };
}

export const latencyVsVolume: Benchmark = async ({ scale, log }) => {
  const volumes = listOption('BENCH_VOLUMES', [1_000, 5_000, 20_000], [10_000, 100_000, 1_000_000], scale);
  const samples = Math.round(numberOption('BENCH_SAMPLES', 20, 100, scale));
  const sqlSamples = Math.round(numberOption('BENCH_SQL_SAMPLES', 5, 20, scale));
  const { stack, catalog } = await catalogStack();
  try {
    const asked = questions(catalog);
    const results = new Map<string, Measurement[]>(asked.map((question) => [question.name, []]));
    const phases: LoadPhases[] = [];
    let loaded = 0;
    for (const volume of volumes) {
      if (volume <= loaded) throw new Error('BENCH_VOLUMES must increase');
      log(`growing to ${volume.toLocaleString('en-US')} sales`);
      phases.push(
        await loadSales(stack, catalog, {
          first: loaded,
          count: volume - loaded,
          tag: `bench-volume-${volume}`,
          log,
        }),
      );
      loaded = volume;
      const token = await tokenFor(stack.url, 'demo-reader');
      // Warm-up: every path once (fills the stats catalog cache, as in steady state) and a consistency check.
      for (const question of asked) {
        const count = question.name.startsWith('GET /models') ? catalog.models.length : 3;
        for (let i = 0; i < count; i++) await timedRequest(stack.url + question.path(i), token);
        const api = JSON.parse((await timedRequest(stack.url + question.path(0), token)).text) as unknown;
        const { rows } = await sqlTimes(stack.sql, question, 1);
        const disagreement = question.agree(api, rows);
        if (disagreement)
          throw new Error(`${question.name} at ${volume} sales disagrees with SQL: ${disagreement}`);
      }
      // The questions take turns, so noise spreads over all of them.
      const apiTimes = new Map<string, number[]>(asked.map((question) => [question.name, []]));
      for (let i = 0; i < samples; i++) {
        for (const question of asked) {
          apiTimes.get(question.name)?.push((await timedRequest(stack.url + question.path(i), token)).ms);
        }
      }
      for (const question of asked) {
        const api = apiTimes.get(question.name) ?? [];
        const { times } = await sqlTimes(stack.sql, question, sqlSamples);
        const measurement = {
          sales: volume,
          bucketsRead: await bucketsRead(stack.sql, question),
          apiP50: median(api),
          apiP90: percentile(api, 90),
          sqlP50: median(times),
          apiSamples: api,
          sqlSamples: times,
        };
        results.get(question.name)?.push(measurement);
        log(
          `${question.name} at ${volume.toLocaleString('en-US')}: API p50 ${fmt(measurement.apiP50)} ms, ` +
            `SQL GROUP BY p50 ${fmt(measurement.sqlP50)} ms`,
        );
      }
    }

    const smallest = volumes[0] ?? 0;
    const largest = volumes.at(-1) ?? 0;
    const label = (n: number) =>
      n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
    const checks: Check[] = [];
    const rows: string[][] = [];
    for (const question of asked) {
      const series = results.get(question.name) ?? [];
      const first = series[0];
      const last = series.at(-1);
      if (!first || !last) continue;
      const growth = last.apiP50 / first.apiP50;
      checks.push({
        case: `${question.name}: API p50 at ${label(largest)} sales`,
        measured: last.apiP50,
        floor: first.apiP50,
        floorLabel: `p50 at ${label(smallest)}`,
        unit: 'ms',
        ratio: growth,
        target: `${label(largest)}/${label(smallest)} ≤ ${MAX_GROWTH}`,
        pass: growth <= MAX_GROWTH,
      });
      checks.push({
        case: `${question.name}: the SQL GROUP BY at ${label(largest)} sales (reference)`,
        measured: last.sqlP50,
        floor: first.sqlP50,
        floorLabel: `p50 at ${label(smallest)}`,
        unit: 'ms',
        ratio: last.sqlP50 / first.sqlP50,
        target: 'grows with the sales',
        pass: null,
      });
      for (const measurement of series) {
        rows.push([
          question.name,
          measurement.sales.toLocaleString('en-US'),
          fmt(measurement.bucketsRead, 0),
          fmt(measurement.apiP50),
          fmt(measurement.apiP90),
          ratioText(measurement.apiP50 / first.apiP50),
          fmt(measurement.sqlP50),
          ratioText(measurement.sqlP50 / first.sqlP50),
        ]);
      }
    }
    return {
      id: 'latency-vs-volume',
      title: '5. Read latency against data volume',
      checks,
      table: {
        columns: [
          'Question',
          'Sales',
          'Buckets read',
          'API p50 ms',
          'API p90 ms',
          'API vs smallest',
          'SQL GROUP BY p50 ms',
          'SQL vs smallest',
        ],
        rows,
      },
      notes: [
        `API: ${samples} sequential requests per question and volume through the local gateway (token check, Lambda event, stats handler, ` +
          'DynamoDB Query on dynalite; catalog names from the warm cache), the questions taking turns; per-model sales rotates over the 60 models. ' +
          `Each answer was first checked against SQL (orders, revenue, ranking). Range ${YEAR.from}…${YEAR.to}, EUR.`,
        '"Buckets read": the day buckets in the range that one request gets from DynamoDB (per-model sales: averaged over the models). ' +
          "The API's work is bounded by the range (≤ 365 buckets per partition) and grows with the sales only while buckets are sparse.",
        `SQL: the same question as a GROUP BY over \`sales\` in the same PGlite (${sqlSamples} runs, through the SQL port, no HTTP) — what the ` +
          'API would cost without the materialized buckets.',
        'Data: the demo catalog (10 brands, 60 models, popularity-weighted), sales spread over 2024-01-01…2025-12-31 (87% EUR, 13% USD), ' +
          'inserted with INSERT … SELECT generate_series, then the buckets and outbox rows written with the SQL of `touchBuckets`, ' +
          'then `projector.drain()`.',
        `Loading phases: ${phases
          .map(
            (phase, i) =>
              `to ${label(volumes[i] ?? 0)}: +${phase.sales.toLocaleString('en-US')} sales inserted in ${fmt(phase.insertSeconds)} s, ` +
              `buckets + ${phase.outboxRows.toLocaleString('en-US')} outbox rows in ${fmt(phase.touchSeconds)} s, drained in ${fmt(phase.drainSeconds)} s`,
          )
          .join('; ')}.`,
      ],
      data: { volumes, samples, sqlSamples, phases, results: Object.fromEntries(results) },
    };
  } finally {
    await stack.close();
  }
};

if (require.main === module) runAlone('latency-vs-volume', latencyVsVolume);
