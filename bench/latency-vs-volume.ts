/**
 * Read latency against data volume: per-model sales and stats over 1- and 3-year ranges through the local
 * gateway at 10k, 100k and 1M sales (answered from day, month and year buckets, so they should stay flat), beside
 * GET /brands/{id} in the same run; then POST /sales on a day holding 50k sales against an empty day.
 *
 *   npx tsx bench/latency-vs-volume.ts [--quick]   BENCH_VOLUMES=10000,100000,1000000, BENCH_SAMPLES,
 *                                                  BENCH_WRITE_SAMPLES, BENCH_BUSY_SALES, BENCH_LOAD_BUDGET_S
 */
import type { LocalStack } from '../local/stack';
import {
  type Catalog,
  catalogStack,
  demoCatalog,
  fmt,
  type LoadPhases,
  type Log,
  listOption,
  loadSales,
  median,
  numberOption,
  percentile,
  ratioText,
  timedRequest,
  tokenFor,
  topModel,
  touchBucketsOf,
} from './lib';
import { type Benchmark, type Check, runAlone } from './report';

const MAX_GROWTH = 1.2;
/** p50 of a stats or per-model question against the p50 of GET /brands/{id} in the same run. */
const MAX_VS_BRAND = 3;
const MAX_VS_BRAND_RANKINGS = 5;
/** POST /sales on a day holding BUSY_SALES sales against an empty day. */
const MAX_BUSY_DAY = 1.3;
const BUSY_SALES = 50_000;
/**
 * The busy day and the empty day share their month and year, outside the loaded window: the two writes touch the
 * same month and year buckets and differ only in the sales their day (and dekad) already holds. A day inside the
 * loaded window (its month and year breakdowns hold every model) is measured beside them for information.
 */
const BUSY_DAY = '2026-06-08';
const EMPTY_DAY = '2026-06-18';
const LOADED_DAY = '2025-06-18';
/** Ranges that start and end mid-month (the generated sales cover 2024-01-01…2025-12-31). */
const RANGES = {
  '1 year': { from: '2024-12-15', to: '2025-12-14' },
  '3 years': { from: '2023-01-15', to: '2026-01-14' },
};

interface Question {
  name: string;
  /** The API path for the i-th sample (per-model questions rotate over the models, brand ones over the brands). */
  path: (i: number) => string;
  /** The same question's figure from SQL over the sales table, to check the answer (a drain that missed buckets cannot look fast). */
  sql?: (i: number) => { text: string; params: Record<string, string> };
  agree?: (api: unknown, sql: Record<string, unknown>[]) => string | undefined;
  /** The ratio to GET /brands/{id} it must stay under; none for the reference and informational questions. */
  maxVsBrand?: number;
}

const ordersAgree = (read: (api: unknown) => number) => (api: unknown, rows: Record<string, unknown>[]) => {
  const want = Number(rows[0]?.orders ?? 0);
  const got = read(api);
  return got === want ? undefined : `orders ${got}, SQL ${want}`;
};

function questions(catalog: Catalog): Question[] {
  const modelAt = (i: number) => catalog.models[i % catalog.models.length]?.id ?? '';
  const brandAt = (i: number) => catalog.brands[i % catalog.brands.length]?.id ?? '';
  const perRange = Object.entries(RANGES).flatMap(([label, range]): Question[] => [
    {
      name: `GET /models/{id}/sales (month, ${label})`,
      path: (i) => `/models/${modelAt(i)}/sales?from=${range.from}&to=${range.to}&granularity=month`,
      sql: (i) => ({
        text: `SELECT count(*)::int AS orders FROM sales WHERE model_id = :modelId::uuid AND currency = 'EUR'
               AND sale_day BETWEEN :from::date AND :to::date`,
        params: { modelId: modelAt(i), ...range },
      }),
      agree: ordersAgree((api) => (api as { totals: { orders: number } }).totals.orders),
      maxVsBrand: MAX_VS_BRAND,
    },
    {
      name: `GET /stats/revenue (${label})`,
      path: () => `/stats/revenue?from=${range.from}&to=${range.to}`,
      sql: () => ({
        text: `SELECT count(*)::int AS orders FROM sales WHERE currency = 'EUR' AND sale_day BETWEEN :from::date AND :to::date`,
        params: range,
      }),
      agree: ordersAgree((api) => (api as { orders: number }).orders),
      maxVsBrand: MAX_VS_BRAND,
    },
    {
      name: `GET /stats/models/top (by revenue, ${label})`,
      path: () => `/stats/models/top?from=${range.from}&to=${range.to}&by=revenue&limit=10`,
      sql: () => ({
        text: `SELECT model_id AS "modelId" FROM sales
               WHERE currency = 'EUR' AND sale_day BETWEEN :from::date AND :to::date
               GROUP BY model_id ORDER BY sum(quantity * unit_price) DESC, model_id LIMIT 10`,
        params: range,
      }),
      agree: (api, rows) => {
        const items = (api as { items: { modelId: string }[] }).items.map((item) => item.modelId).join();
        const expected = rows.map((row) => String(row.modelId)).join();
        return items === expected ? undefined : `ranking ${items} vs SQL ${expected}`;
      },
      maxVsBrand: MAX_VS_BRAND_RANKINGS,
    },
    {
      name: `GET /stats/brands/{id} (${label})`,
      path: (i) => `/stats/brands/${brandAt(i)}?from=${range.from}&to=${range.to}`,
      sql: (i) => ({
        text: `SELECT count(*)::int AS orders FROM sales s JOIN models m ON m.id = s.model_id
               WHERE m.brand_id = :brandId::uuid AND s.currency = 'EUR' AND s.sale_day BETWEEN :from::date AND :to::date`,
        params: { brandId: brandAt(i), ...range },
      }),
      agree: ordersAgree((api) => (api as { totals: { orders: number } }).totals.orders),
      maxVsBrand: MAX_VS_BRAND_RANKINGS,
    },
  ]);
  const year = RANGES['1 year'];
  return [
    { name: 'GET /brands/{id} (reference)', path: (i) => `/brands/${brandAt(i)}` },
    ...perRange,
    // Daily series read their days (365 items a year): reported, no target.
    {
      name: 'GET /models/{id}/sales (day, 1 year)',
      path: (i) => `/models/${modelAt(i)}/sales?from=${year.from}&to=${year.to}&granularity=day`,
    },
    {
      name: 'GET /stats/revenue/daily (1 year)',
      path: () => `/stats/revenue/daily?from=${year.from}&to=${year.to}`,
    },
  ];
}

interface Measurement {
  sales: number;
  apiP50: number;
  apiP90: number;
  apiSamples: number[];
}

/** Adds `count` sales of one model on one day straight into SQL, books them as the API would, and drains. */
async function fillDay(stack: LocalStack, modelId: string, day: string, count: number): Promise<void> {
  const tag = `bench-busy-${day}`;
  await stack.sql.query(
    `INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, country, submitted_by)
     SELECT md5('busy-' || i)::uuid, :modelId::uuid, :day::timestamptz + (i % 86400) * interval '1 second', 1,
            20000 + i % 1000, 'EUR', 'DE', :tag
     FROM generate_series(1, :count::int) AS i`,
    { modelId, day: `${day}T00:00:00Z`, count, tag },
  );
  await touchBucketsOf(stack.sql, tag);
  await stack.projector.drain();
}

/** p50 of POST /sales on the busy day and on the empty day, the two taking turns. */
async function busyDayWrites(stack: LocalStack, modelId: string, samples: number) {
  const token = await tokenFor(stack.url, 'demo-writer');
  const post = (day: string, i: number) =>
    timedRequest(`${stack.url}/sales`, token, {
      method: 'POST',
      body: JSON.stringify({
        modelId,
        soldAt: `${day}T10:00:00Z`,
        quantity: 1,
        unitPrice: `${20000 + i}.00`,
      }),
      headers: { 'content-type': 'application/json' },
      expect: 201,
    });
  // Warm-up: the first write of each day creates its buckets.
  await post(BUSY_DAY, 0);
  await post(EMPTY_DAY, 0);
  await post(LOADED_DAY, 0);
  const busy: number[] = [];
  const empty: number[] = [];
  const loaded: number[] = [];
  for (let i = 1; i <= samples; i++) {
    busy.push((await post(BUSY_DAY, i)).ms);
    empty.push((await post(EMPTY_DAY, i)).ms);
    loaded.push((await post(LOADED_DAY, i)).ms);
  }
  return { busy, empty, loaded };
}

/** Loads `volume` generated sales into a stack of its own, then asks every question once (warm-up, SQL check). */
async function stackWith(volume: number, catalog: Catalog, asked: Question[], log: Log) {
  const { stack } = await catalogStack({}, catalog);
  try {
    log(`loading ${volume.toLocaleString('en-US')} sales`);
    const phase = await loadSales(stack, catalog, {
      first: 0,
      count: volume,
      tag: `bench-volume-${volume}`,
      log,
    });
    const token = await tokenFor(stack.url, 'demo-reader');
    // Warm-up: every path of every question once (fills the stats catalog cache, as in steady state), and a
    // check of each answer against SQL.
    for (const question of asked) {
      for (let i = 0; i < catalog.models.length; i++) await timedRequest(stack.url + question.path(i), token);
      if (!question.sql || !question.agree) continue;
      const { text, params } = question.sql(0);
      const api = JSON.parse((await timedRequest(stack.url + question.path(0), token)).text) as unknown;
      const disagreement = question.agree(
        api,
        (await stack.sql.query<Record<string, unknown>>(text, params)).rows,
      );
      if (disagreement)
        throw new Error(`${question.name} at ${volume} sales disagrees with SQL: ${disagreement}`);
    }
    return { volume, stack, catalog, token, phase };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

export const latencyVsVolume: Benchmark = async ({ scale, log }) => {
  const volumes = listOption('BENCH_VOLUMES', [2_000, 20_000], [10_000, 100_000, 1_000_000], scale);
  const samples = Math.round(numberOption('BENCH_SAMPLES', 15, 60, scale));
  const writeSamples = Math.round(numberOption('BENCH_WRITE_SAMPLES', 15, 40, scale));
  const busySales = Math.round(numberOption('BENCH_BUSY_SALES', 5_000, BUSY_SALES, scale));
  /** Seconds of loading after which no larger volume is started (the largest reached is reported). */
  const loadBudget = numberOption('BENCH_LOAD_BUDGET_S', 600, 2400, scale);
  if (volumes.some((volume, i) => i > 0 && volume <= (volumes[i - 1] ?? 0)))
    throw new Error('BENCH_VOLUMES must increase');
  // One catalog's ids for every stack, so every question asks each volume the same thing.
  const catalog = demoCatalog();
  const asked = questions(catalog);
  const stacks: Awaited<ReturnType<typeof stackWith>>[] = [];
  try {
    const loadingStarted = performance.now();
    for (const volume of volumes) {
      if ((performance.now() - loadingStarted) / 1000 > loadBudget) {
        log(
          `loading budget of ${loadBudget} s spent: ${volume.toLocaleString('en-US')} sales and more left out`,
        );
        break;
      }
      stacks.push(await stackWith(volume, catalog, asked, log));
    }
    const results = new Map<string, Measurement[]>(asked.map((question) => [question.name, []]));
    const phases: LoadPhases[] = stacks.map((loaded) => loaded.phase);
    // Every volume is served by its own stack, all in this process: the questions and the volumes take turns,
    // so a change in the machine's load hits every volume alike and the growth ratios compare like with like.
    const apiTimes = new Map<string, number[]>(
      stacks.flatMap(({ volume }) => asked.map((question) => [`${question.name} ${volume}`, []])),
    );
    for (let i = 0; i < samples; i++) {
      for (const question of asked) {
        for (const { volume, stack, token } of stacks) {
          apiTimes
            .get(`${question.name} ${volume}`)
            ?.push((await timedRequest(stack.url + question.path(i), token)).ms);
        }
      }
    }
    for (const question of asked) {
      for (const { volume } of stacks) {
        const api = apiTimes.get(`${question.name} ${volume}`) ?? [];
        results
          .get(question.name)
          ?.push({ sales: volume, apiP50: median(api), apiP90: percentile(api, 90), apiSamples: api });
      }
    }
    log('measured every volume');
    const largestStack = stacks.at(-1);
    if (!largestStack) throw new Error('BENCH_VOLUMES is empty');
    const { stack } = largestStack;

    const busyModel = topModel(catalog).id;
    log(`filling ${BUSY_DAY} with ${busySales.toLocaleString('en-US')} sales of one model`);
    await fillDay(stack, busyModel, BUSY_DAY, busySales);
    const writes = await busyDayWrites(stack, busyModel, writeSamples);

    const smallest = volumes[0] ?? 0;
    const largest = largestStack.volume;
    const label = (n: number) =>
      n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
    const referenceSeries = results.get(asked[0]?.name ?? '') ?? [];
    const reference = referenceSeries.at(-1);
    const checks: Check[] = [];
    const rows: string[][] = [];
    for (const question of asked) {
      const series = results.get(question.name) ?? [];
      const first = series[0];
      const last = series.at(-1);
      if (!first || !last || !reference) continue;
      const growth = last.apiP50 / first.apiP50;
      if (question.maxVsBrand) {
        const vsBrand = last.apiP50 / reference.apiP50;
        checks.push(
          {
            case: `${question.name}: p50 at ${label(largest)} vs GET /brands/{id}`,
            measured: last.apiP50,
            floor: reference.apiP50,
            floorLabel: 'GET /brands/{id} p50',
            unit: 'ms',
            ratio: vsBrand,
            target: `≤ ${question.maxVsBrand}×`,
            pass: vsBrand <= question.maxVsBrand,
          },
          {
            case: `${question.name}: p50 at ${label(largest)} vs ${label(smallest)}`,
            measured: last.apiP50,
            floor: first.apiP50,
            floorLabel: `p50 at ${label(smallest)}`,
            unit: 'ms',
            ratio: growth,
            target: `≤ ${MAX_GROWTH}`,
            pass: growth <= MAX_GROWTH,
          },
        );
      }
      for (const [i, measurement] of series.entries()) {
        const brandP50 = referenceSeries[i]?.apiP50;
        rows.push([
          question.name,
          measurement.sales.toLocaleString('en-US'),
          fmt(measurement.apiP50),
          fmt(measurement.apiP90),
          ratioText(measurement.apiP50 / first.apiP50),
          brandP50 ? ratioText(measurement.apiP50 / brandP50) : '–',
        ]);
      }
    }
    const busyRatio = median(writes.busy) / median(writes.empty);
    checks.push({
      case: `POST /sales on a day holding ${busySales.toLocaleString('en-US')} sales vs an empty day`,
      measured: median(writes.busy),
      floor: median(writes.empty),
      floorLabel: 'empty-day p50',
      unit: 'ms',
      ratio: busyRatio,
      target: `≤ ${MAX_BUSY_DAY}×`,
      pass: busyRatio <= MAX_BUSY_DAY,
    });
    checks.push({
      case: `POST /sales on a day of the loaded window (${LOADED_DAY}) vs the empty day`,
      measured: median(writes.loaded),
      floor: median(writes.empty),
      floorLabel: 'empty-day p50',
      unit: 'ms',
      ratio: median(writes.loaded) / median(writes.empty),
      target: 'reported: its month and year breakdowns hold every model',
      pass: null,
    });
    return {
      id: 'latency-vs-volume',
      title: '5. Read latency against data volume, and writes on a busy day',
      checks,
      table: {
        columns: [
          'Question',
          'Sales',
          'API p50 ms',
          'API p90 ms',
          'vs smallest volume',
          'vs GET /brands/{id}',
        ],
        rows,
      },
      notes: [
        `API: ${samples} sequential requests per question and volume through the local gateway (token check, Lambda event, handler, ` +
          'DynamoDB Query on dynalite; catalog names from the warm cache), the questions taking turns; per-model questions rotate over ' +
          `the 60 models, brand ones over the 10 brands. Each answer was first checked against SQL (orders, ranking). Ranges ` +
          `${Object.entries(RANGES)
            .map(([name, range]) => `${name} ${range.from}…${range.to}`)
            .join(', ')} (mid-month edges: days, months and years are read), EUR.`,
        'A range is read as the days before its first whole month, whole months, whole years, then months and days again ' +
          '(lambdas/shared/projection/ranges.ts): with breakdowns (rankings, brands) the edge days as dekads and the days around them, ' +
          "without (totals, per-model series) the edge days through their month's item and whole months through their year's: " +
          'tens of items per partition at most, whatever the number of sales.',
        `Busy day: ${busySales.toLocaleString('en-US')} sales of the top model on ${BUSY_DAY}, then ${writeSamples} POST /sales there, ` +
          `on ${EMPTY_DAY} (same month and year, no sales before the warm-up write) and on ${LOADED_DAY} (inside the loaded window), ` +
          'taking turns; until 2026-12-02 14:00 UTC the empty day was compared with a busy day inside the loaded window, which mixed ' +
          'in the size of its month and year breakdowns (now the information row). Each write books its buckets by adding to their ' +
          'figures and projects them by copying, so its cost does not depend on the sales already there.',
        'Data: the demo catalog (10 brands, 60 models, popularity-weighted), sales spread over 2024-01-01…2025-12-31 (87% EUR, 13% USD), ' +
          'inserted with INSERT … SELECT generate_series, then booked with the SQL of `recordChanges` (one statement per kind of row, ' +
          'from the sales grouped by model, day and currency), then `projector.drain()`. Each volume is loaded into a stack of its own; ' +
          `the largest volume this run reached is ${largestStack.volume.toLocaleString('en-US')} sales.`,
        `Loading phases: ${phases
          .map(
            (phase, i) =>
              `to ${label(volumes[i] ?? 0)}: +${phase.sales.toLocaleString('en-US')} sales inserted in ${fmt(phase.insertSeconds)} s, ` +
              `booked (${phase.outboxRows.toLocaleString('en-US')} outbox rows) in ${fmt(phase.touchSeconds)} s, drained in ${fmt(phase.drainSeconds)} s`,
          )
          .join('; ')}.`,
      ],
      data: { volumes, samples, phases, writes, results: Object.fromEntries(results) },
    };
  } finally {
    for (const { stack } of stacks) await stack.close();
  }
};

if (require.main === module) runAlone('latency-vs-volume', latencyVsVolume);
