/**
 * Shared helpers of the benchmarks: scale (`--quick` / BENCH_SCALE), progress, statistics, tokens, and loading
 * a realistic catalog and sales straight into SQL (so 1M sales take minutes, not hours).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { fetchToken, sendRaw } from '../client';
import type { AggregateStore } from '../lambdas/shared/projection/aggregates';
import { BOOKING_PARAMS, bookChangesStatements } from '../lambdas/shared/projection/bookkeeping';
import type { Sql } from '../lambdas/shared/sql/port';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../local/stack';
import { ALL_MODELS, DEMO_BRANDS } from '../scripts/demo-data';

// ---------------------------------------------------------------------------------------------------------------
// Scale and options

export type Scale = 'quick' | 'full';

/** `--quick` or BENCH_SCALE=quick picks small sizes; anything else is the full run. */
export function scaleOf(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Scale {
  if (argv.includes('--quick')) return 'quick';
  if (argv.includes('--full')) return 'full';
  return env.BENCH_SCALE === 'quick' ? 'quick' : 'full';
}

/** A number from the environment (e.g. BENCH_COLD_RUNS=30), else the scale's default. */
export function numberOption(name: string, quick: number, full: number, scale: Scale): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  }
  return scale === 'quick' ? quick : full;
}

/** A comma-separated list of numbers from the environment (e.g. BENCH_VOLUMES=10000,100000), else the default. */
export function listOption(name: string, quick: number[], full: number[], scale: Scale): number[] {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const values = raw.split(',').map((part) => Number(part.trim()));
    if (values.some((value) => !Number.isInteger(value) || value <= 0))
      throw new Error(`${name} must be a comma-separated list of positive integers`);
    return values;
  }
  return scale === 'quick' ? quick : full;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

const started = performance.now();

/** Progress on stderr, with the seconds since the process started, so stdout stays the result table. */
export function progress(scope: string) {
  return (message: string) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${seconds}s] ${scope}: ${message}\n`);
  };
}

export type Log = ReturnType<typeof progress>;

/** Runs `work`, logs how long it took, returns its result and the seconds. */
export async function timed<T>(log: Log, label: string, work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  log(`${label}…`);
  const result = await work();
  const seconds = (performance.now() - t0) / 1000;
  log(`${label}: ${seconds.toFixed(2)} s`);
  return [result, seconds];
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and formatting

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? lowValue;
  return lowValue + (highValue - lowValue) * (rank - low);
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** A number with a sensible number of digits for a table. */
export function fmt(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return '∞';
  const abs = Math.abs(value);
  const d = digits ?? (abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export const ratioText = (ratio: number | null) =>
  ratio === null ? '–' : `${fmt(ratio, Math.abs(ratio) < 0.1 ? 4 : 2)}×`;

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** 1-minute load average when the run started: a busy machine makes every number noisy. */
  loadAverage: number;
}

export function machine(): Machine {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP against the local gateway

/** A client-credentials token from the local Cognito stand-in (demo clients, secret `<id>-secret`). */
export async function tokenFor(url: string, clientId = 'demo-admin'): Promise<string> {
  return (await fetchToken(url, { clientId, clientSecret: `${clientId}-secret` })).access_token;
}

/**
 * Sends a request (client/'s `sendRaw`), reads the whole body, fails on an unexpected status; returns the
 * milliseconds it took. `url` is absolute (the base URL and the path).
 */
export async function timedRequest(
  url: string,
  token: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; expect?: number } = {},
): Promise<{ ms: number; status: number; text: string }> {
  const method = init.method ?? 'GET';
  const t0 = performance.now();
  const response = await sendRaw(url, { method, path: url, headers: init.headers, body: init.body, token });
  const ms = performance.now() - t0;
  if (response.status !== (init.expect ?? 200)) {
    throw new Error(`${method} ${url}: ${response.status} ${response.text.slice(0, 500)}`);
  }
  return { ms, status: response.status, text: response.text };
}

// ---------------------------------------------------------------------------------------------------------------
// Data: the demo catalog and generated sales, straight into SQL

export interface CatalogModel {
  id: string;
  brandId: string;
  name: string;
  /** Relative share of sales (brand share × model popularity, as in scripts/demo-data.ts). */
  weight: number;
}

export interface Catalog {
  brands: { id: string; name: string; country: string }[];
  models: CatalogModel[];
}

/** The demo catalog (10 brands, 60 models) with fresh ids; `insertCatalog` writes it into a database. */
export function demoCatalog(): Catalog {
  const brands = DEMO_BRANDS.map((brand) => ({ id: randomUUID(), name: brand.name, country: brand.country }));
  const models = ALL_MODELS.map(({ brandIndex, model, brand }) => ({
    id: randomUUID(),
    brandId: brands[brandIndex]?.id ?? '',
    name: model.name,
    weight: brand.share * model.popularity,
  }));
  return { brands, models };
}

/** Writes the catalog with its ids (the same ids in every database it is written to). */
export async function insertCatalog(sql: Sql, catalog: Catalog): Promise<void> {
  await sql.query(
    `INSERT INTO brands (id, name, country)
     SELECT id, name, country FROM jsonb_to_recordset(:rows::jsonb) AS r(id uuid, name text, country text)`,
    { rows: JSON.stringify(catalog.brands) },
  );
  await sql.query(
    `INSERT INTO models (id, brand_id, name)
     SELECT id, "brandId", name FROM jsonb_to_recordset(:rows::jsonb) AS r(id uuid, "brandId" uuid, name text)`,
    { rows: JSON.stringify(catalog.models) },
  );
}

/** The window every generated sale falls in: two years of UTC days. */
export const SALES_WINDOW = { from: '2024-01-01', to: '2025-12-31', days: 731 } as const;

/** Model ids repeated by weight (about 1000 slots), so `slot = hash % length` picks models by popularity. */
function weightedSlots(models: readonly CatalogModel[]): string[] {
  const total = models.reduce((sum, model) => sum + model.weight, 0);
  return models.flatMap((model) =>
    Array.from({ length: Math.max(1, Math.round((model.weight / total) * 1000)) }, () => model.id),
  );
}

/**
 * Inserts sales `first … first+count-1` straight into `sales`: a deterministic function of the index (model by
 * popularity, UTC day in SALES_WINDOW, business hours, 87% EUR / 13% USD, mostly one car, realistic prices),
 * in transactions of `chunk` rows. `tag` becomes `submitted_by`, so `touchBucketsOf(tag)` finds them.
 * No bucket or outbox rows are written here.
 */
export async function insertGeneratedSales(
  sql: Sql,
  catalog: Catalog,
  options: { first: number; count: number; tag: string; chunk?: number; log?: Log },
): Promise<void> {
  const slots = JSON.stringify(weightedSlots(catalog.models));
  const chunk = options.chunk ?? 100_000;
  const end = options.first + options.count;
  for (let from = options.first; from < end; from += chunk) {
    const to = Math.min(end, from + chunk) - 1;
    await sql.query(
      `WITH g AS (
         SELECT i,
                abs(hashint8extended(i, 1)) AS h1, abs(hashint8extended(i, 2)) AS h2,
                abs(hashint8extended(i, 3)) AS h3, abs(hashint8extended(i, 4)) AS h4,
                abs(hashint8extended(i, 5)) AS h5, abs(hashint8extended(i, 6)) AS h6
         FROM generate_series(:from::bigint, :to::bigint) AS i
       ), slots AS (SELECT :slots::jsonb AS s, jsonb_array_length(:slots::jsonb) AS n)
       INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, country, submitted_by)
       SELECT md5('bench-sale-' || i)::uuid,
              (s ->> (h1 % n)::int)::uuid,
              :windowStart::timestamptz + (h2 % :days) * interval '1 day' + (28800 + h3 % 43200) * interval '1 second',
              CASE WHEN h4 % 100 < 90 THEN 1 WHEN h4 % 100 < 97 THEN 2 ELSE 3 END,
              (14900 + (h5 % 600) * 100 - CASE WHEN h6 % 5 = 0 THEN 0.5 ELSE 0 END)::numeric,
              CASE WHEN h6 % 100 < 13 THEN 'USD' ELSE 'EUR' END,
              CASE WHEN h6 % 100 < 13 THEN 'US' ELSE (ARRAY['DE', 'FR', 'IT', 'ES', 'NL'])[1 + (h4 % 5)::int] END,
              :tag
       FROM g, slots`,
      {
        from,
        to,
        slots,
        windowStart: `${SALES_WINDOW.from}T00:00:00Z`,
        days: SALES_WINDOW.days,
        tag: options.tag,
      },
    );
    options.log?.(`inserted sales ${from - options.first + (to - from + 1)}/${options.count}`);
  }
}

/**
 * What `recordChanges` (lambdas/shared/projection/bookkeeping.ts) does after an insert, for every sale submitted
 * as `tag`: adds them to the figures of each (model, brand, all) × (day, month, year) × currency bucket and its
 * parts, bumps the versions and writes one outbox row per bucket (the same SQL; only the changed set comes from
 * the table instead of the INSERT's RETURNING). Returns the number of outbox rows written.
 */
export async function touchBucketsOf(sql: Sql, tag: string): Promise<number> {
  const [buckets, parts] = bookChangesStatements(
    `SELECT s.model_id, m.brand_id, s.sale_day,
         s.currency::text AS currency, sum(s.quantity) AS units, sum(s.quantity * s.unit_price) AS revenue,
         count(*) AS orders
       FROM sales s JOIN models m ON m.id = s.model_id
       WHERE s.submitted_by = :tag
       GROUP BY s.model_id, m.brand_id, s.sale_day, s.currency`,
    'count',
  );
  return sql.transaction(async (tx) => {
    await tx.query(`SET LOCAL work_mem = '64MB'`);
    const { rows } = await tx.query<{ queued: number }>(buckets, { tag, ...BOOKING_PARAMS });
    await tx.query(parts, { tag, ...BOOKING_PARAMS });
    return rows[0]?.queued ?? 0;
  });
}

export async function countOf(sql: Sql, table: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? 0;
}

export interface LoadPhases {
  sales: number;
  insertSeconds: number;
  touchSeconds: number;
  outboxRows: number;
  drainSeconds: number;
}

/**
 * Adds `count` generated sales (indexes `first…`) to a running stack the fast way — INSERT … SELECT
 * generate_series, one touchBuckets-equivalent over them, then `projector.drain()` — and times each phase.
 */
export async function loadSales(
  stack: LocalStack,
  catalog: Catalog,
  options: { first: number; count: number; tag: string; log: Log },
): Promise<LoadPhases> {
  const { log } = options;
  const [, insertSeconds] = await timed(log, `insert ${options.count} sales (SQL)`, () =>
    insertGeneratedSales(stack.sql, catalog, { ...options, log: undefined }),
  );
  const [outboxRows, touchSeconds] = await timed(log, 'bump buckets + outbox', () =>
    touchBucketsOf(stack.sql, options.tag),
  );
  let lastLog = performance.now();
  const [, drainSeconds] = await timed(log, `projector.drain() of ${outboxRows} outbox rows`, () =>
    stack.projector.drain(500, (projected) => {
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  drained ${projected}/${outboxRows}`);
      }
    }),
  );
  return { sales: options.count, insertSeconds, touchSeconds, outboxRows, drainSeconds };
}

/**
 * A local stack (in-memory PGlite + dynalite, no projector timer unless asked) holding the demo catalog (fresh
 * ids, or those of `catalog`).
 */
export async function catalogStack(
  options: LocalStackOptions = {},
  catalog: Catalog = demoCatalog(),
): Promise<{ stack: LocalStack; catalog: Catalog }> {
  const stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, ...options });
  await insertCatalog(stack.sql, catalog);
  return { stack, catalog };
}

/** The model with the most sales in the generated data. */
export const topModel = (catalog: Catalog): CatalogModel => {
  const [first] = [...catalog.models].sort((a, b) => b.weight - a.weight);
  if (!first) throw new Error('The catalog has no models');
  return first;
};

/**
 * Where time goes, per kind of work: calls, the summed milliseconds of the calls, and the wall-clock
 * milliseconds during which at least one was in flight (`busyMs`; less than `ms` when calls overlap).
 */
export class Stopwatch {
  readonly totals = new Map<string, { calls: number; ms: number; busyMs: number }>();
  private readonly inFlight = new Map<string, { count: number; since: number }>();

  async time<T>(kind: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const flight = this.inFlight.get(kind) ?? { count: 0, since: t0 };
    if (flight.count === 0) flight.since = t0;
    flight.count++;
    this.inFlight.set(kind, flight);
    try {
      return await work();
    } finally {
      const now = performance.now();
      const total = this.totals.get(kind) ?? { calls: 0, ms: 0, busyMs: 0 };
      total.calls++;
      total.ms += now - t0;
      flight.count--;
      if (flight.count === 0) total.busyMs += now - flight.since;
      this.totals.set(kind, total);
    }
  }

  get(kind: string) {
    return this.totals.get(kind) ?? { calls: 0, ms: 0, busyMs: 0 };
  }

  reset() {
    this.totals.clear();
  }

  /** The SQL port, timing every statement (inside transactions too) as `sql`. */
  sql(inner: Sql): Sql {
    return {
      query: (text, params) => this.time('sql', () => inner.query(text, params)),
      transaction: (work) => inner.transaction((tx) => work(this.sql(tx))),
    };
  }

  /** The aggregate store, timing writes as `put` and reads as `query`. */
  store(inner: AggregateStore): AggregateStore {
    return {
      put: (aggregate) => this.time('put', () => inner.put(aggregate)),
      putMany: (aggregates) => this.time('put', () => inner.putMany(aggregates)),
      queryPeriods: (...args) => this.time('query', () => inner.queryPeriods(...args)),
      getMany: (...args) => this.time('query', () => inner.getMany(...args)),
      markProjected: (asOf) => this.time('put', () => inner.markProjected(asOf)),
      projectedUntil: () => this.time('query', () => inner.projectedUntil()),
    };
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
