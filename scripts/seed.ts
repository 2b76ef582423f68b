/**
 * Loads the demo data set through the real API: a client-credentials token, `POST /brands`, `POST /models`,
 * then the sales as CSV imports (`POST /sales/import`) in chunks, with one progress line (rows, rate, time left).
 *
 *   npm run seed                                   # against http://127.0.0.1:3000
 *   API_URL=http://127.0.0.1:3100 SEED_SALES=20000 npm run seed
 *   npm start -- --seed                            # or SEED=true npm start: seeds the server it starts
 *
 * Idempotent: brands and models are found by name before anything is created, and every sale carries a
 * deterministic externalId, so a second run finds them all (a 409 listing them) and writes nothing.
 * Options (env): API_URL, SEED_SALES (100000), SEED_CHUNK (1000 rows per import), SEED_CLIENT_ID and
 * SEED_CLIENT_SECRET (demo-writer), SEED_TODAY (YYYY-MM-DD; the window is the two years before it),
 * SEED_STATS_TIMEOUT_S (600: how long to wait for the stats to show every sale). Arguments override them:
 * `npm run seed -- --url http://127.0.0.1:3100 --sales 20000 --chunk 1000 --today 2026-01-01`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { type ApiClient, connect } from '../client';
import { readEnv } from '../lambdas/shared/config';
import { DEMO_BRANDS, type DemoSale, generateSales, todayUtc } from './demo-data';

export interface SeedOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:3000. */
  url: string;
  /** How many sales (default 100000). */
  sales?: number;
  /**
   * Rows per CSV import request (default 1000, about 110 kB). Sales are imported in time order, so a chunk of
   * 1000 touches at most 3000 stats buckets: the API then projects them before answering, and the stats are
   * complete when the seed ends. Bigger chunks import faster but leave the projection to the scheduled
   * projector (see `statsTimeoutMs`).
   */
  chunkSize?: number;
  clientId?: string;
  clientSecret?: string;
  /** The UTC day the two-year window ends before (default: today). */
  today?: string;
  /**
   * How long to wait for the stats to show the seeded sales (default 10 minutes; 0: do not wait). Big imports
   * are projected by the scheduled projector, after the import answers.
   */
  statsTimeoutMs?: number;
  /** Milestones (catalog done, summary, warnings), one line each. */
  log?: (line: string) => void;
  /** Called after every import request and every stats poll; `consoleOutput` draws it as one line. */
  progress?: (state: SeedProgress) => void;
}

/** How far the seed is: importing sales, then waiting until the stats show them. */
export interface SeedProgress {
  phase: 'import' | 'stats';
  /** Sales imported (or found already there), or sales the stats show. */
  done: number;
  total: number;
  /** Sales per second in this phase so far. */
  rate: number;
  /** At that rate; undefined until there is a rate. */
  secondsLeft: number | undefined;
}

export interface SeedSummary {
  window: { from: string; to: string };
  brands: { created: number; existing: number };
  models: { created: number; existing: number };
  sales: { total: number; imported: number; skipped: number; requests: number };
  /** Revenue over the window per currency, from `GET /stats/revenue`. */
  revenue: Record<string, { totalRevenue: string; orders: number; units: number }>;
  /** Catalog, sales import, wait until the stats show the sales, all. */
  seconds: { catalog: number; sales: number; stats: number; total: number };
}

/** At most 3000 buckets per import: the sales handler's limit for projecting before it answers. */
const DEFAULT_CHUNK = 1000;
const CSV_COLUMNS = [
  'modelId',
  'soldAt',
  'quantity',
  'unitPrice',
  'currency',
  'country',
  'externalId',
] as const;

/** Options from the environment and `--url`, `--sales`, `--chunk`, `--today` arguments (CLI, `--seed`). */
export function seedOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  args: readonly string[] = [],
): SeedOptions {
  const fromArgs: Record<string, string> = {};
  const names: Record<string, string> = {
    url: 'API_URL',
    sales: 'SEED_SALES',
    chunk: 'SEED_CHUNK',
    today: 'SEED_TODAY',
  };
  args.forEach((arg, i) => {
    const [, name = '', inline] = /^--(\w+)(?:=(.*))?$/.exec(arg) ?? [];
    const variable = names[name];
    const value = inline ?? args[i + 1];
    if (variable && value !== undefined) fromArgs[variable] = value;
  });
  const parsed = readEnv(
    {
      API_URL: z.url().default('http://127.0.0.1:3000'),
      SEED_SALES: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
      SEED_CHUNK: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_CHUNK),
      SEED_CLIENT_ID: z.string().min(1).default('demo-writer'),
      SEED_CLIENT_SECRET: z.string().min(1).optional(),
      SEED_TODAY: z.iso.date().optional(),
      SEED_STATS_TIMEOUT_S: z.coerce.number().min(0).default(600),
    },
    { ...env, ...fromArgs },
  );
  return {
    url: parsed.API_URL,
    sales: parsed.SEED_SALES,
    chunkSize: parsed.SEED_CHUNK,
    clientId: parsed.SEED_CLIENT_ID,
    clientSecret: parsed.SEED_CLIENT_SECRET ?? `${parsed.SEED_CLIENT_ID}-secret`,
    today: parsed.SEED_TODAY,
    statsTimeoutMs: parsed.SEED_STATS_TIMEOUT_S * 1000,
  };
}

export async function seed(options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const progress = options.progress ?? (() => {});
  const total = options.sales ?? 100_000;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const clientId = options.clientId ?? 'demo-writer';
  const retried = new WeakSet<Response>();
  const client = await connect(
    options.url,
    { clientId, clientSecret: options.clientSecret ?? `${clientId}-secret` },
    { fetch: retrying(retried) },
  );

  log(
    `seeding ${options.url} as ${clientId}: ${DEMO_BRANDS.length} brands, ${countModels()} models, ${fmt(total)} sales`,
  );
  const catalog = await seedCatalog(client, log);
  const catalogSeconds = (performance.now() - started) / 1000;
  log(
    `catalog: brands ${catalog.brands.created} created, ${catalog.brands.existing} existing; ` +
      `models ${catalog.models.created} created, ${catalog.models.existing} existing (${catalogSeconds.toFixed(1)} s)`,
  );

  const salesStarted = performance.now();
  const { window, sales } = generateSales(total, options.today ?? todayUtc());
  const result = await seedSales(client, sales, catalog.modelIds, chunkSize, {
    progress,
    wasRetried: (response) => retried.has(response),
  });
  const salesSeconds = (performance.now() - salesStarted) / 1000;

  const statsStarted = performance.now();
  const revenue = await awaitStats(client, sales, window, options.statsTimeoutMs ?? 600_000, progress, log);
  const statsSeconds = (performance.now() - statsStarted) / 1000;

  const summary: SeedSummary = {
    window,
    brands: catalog.brands,
    models: catalog.models,
    sales: { total, ...result },
    revenue,
    seconds: {
      catalog: catalogSeconds,
      sales: salesSeconds,
      stats: statsSeconds,
      total: (performance.now() - started) / 1000,
    },
  };
  log(
    `done in ${summary.seconds.total.toFixed(1)} s (catalog ${catalogSeconds.toFixed(1)} s, ` +
      `import ${salesSeconds.toFixed(1)} s, stats ${statsSeconds.toFixed(1)} s): ` +
      `sales ${window.from}..${window.to}: ${fmt(result.imported)} imported, ${fmt(result.skipped)} already there, ` +
      `in ${result.requests} import requests`,
  );
  for (const [currency, figures] of Object.entries(revenue)) {
    log(
      `  revenue ${window.from}..${window.to} in ${currency}: ${figures.totalRevenue} ` +
        `(${fmt(figures.orders)} orders, ${fmt(figures.units)} units)`,
    );
  }
  return summary;
}

type Named = { id: string; name: string };

/** Finds every demo brand and model by name, creating the missing ones; returns modelIds in catalog order. */
async function seedCatalog(client: ApiClient, log: (line: string) => void) {
  const brands = { created: 0, existing: 0 };
  const models = { created: 0, existing: 0 };
  const modelIds: string[] = [];
  const listBrands = async () => byName(await listAll((cursor) => client.GET('/brands', query({ cursor }))));
  let brandsByName = await listBrands();

  for (const demo of DEMO_BRANDS) {
    let brand = brandsByName.get(key(demo.name));
    if (brand) brands.existing++;
    else {
      const created = await client.POST('/brands', { body: { name: demo.name, country: demo.country } });
      if (created.data) {
        brand = created.data;
        brands.created++;
      } else if (created.response.status === 409) {
        // Created by someone else since we listed: look it up again.
        brandsByName = await listBrands();
        brand = brandsByName.get(key(demo.name));
        brands.existing++;
      } else throw apiError('POST /brands', created);
    }
    if (!brand) throw new Error(`Brand ${demo.name} is neither creatable nor listed`);
    if (brand.country !== demo.country)
      log(`warning: brand ${brand.name} exists with country ${brand.country ?? 'none'}, not ${demo.country}`);

    const brandId = brand.id;
    const listModels = async () =>
      byName(await listAll((cursor) => client.GET('/models', query({ brandId, cursor }))));
    let modelsByName = await listModels();
    for (const demoModel of demo.models) {
      let model: Named | undefined = modelsByName.get(key(demoModel.name));
      if (model) models.existing++;
      else {
        const created = await client.POST('/models', {
          body: {
            brandId,
            name: demoModel.name,
            bodyType: demoModel.bodyType,
            launchYear: demoModel.launchYear,
          },
        });
        if (created.data) {
          model = created.data;
          models.created++;
        } else if (created.response.status === 409) {
          modelsByName = await listModels();
          model = modelsByName.get(key(demoModel.name));
          models.existing++;
        } else throw apiError('POST /models', created);
      }
      if (!model) throw new Error(`Model ${demo.name} ${demoModel.name} is neither creatable nor listed`);
      modelIds.push(model.id);
    }
  }
  return { brands, models, modelIds };
}

/** The query of a list request: pages of 100, the cursor only when there is one. */
function query<T extends { cursor: string | undefined }>(params: T) {
  const { cursor, ...rest } = params;
  return { params: { query: { ...rest, limit: 100, ...(cursor === undefined ? {} : { cursor }) } } };
}

/** Every item of a keyset-paginated list. */
async function listAll<T>(
  page: (cursor: string | undefined) => Promise<{
    data?: { items: T[]; nextCursor: string | null };
    error?: unknown;
    response: Response;
  }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const result = await page(cursor);
    if (!result.data) throw apiError(`GET ${new URL(result.response.url).pathname}`, result);
    items.push(...result.data.items);
    cursor = result.data.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * Imports the sales in CSV chunks. A chunk answered 409 names the rows whose externalId already exists:
 * they are counted as skipped and the rest of the chunk (usually nothing) is sent again.
 */
async function seedSales(
  client: ApiClient,
  sales: readonly DemoSale[],
  modelIds: readonly string[],
  chunkSize: number,
  hooks: { progress: (state: SeedProgress) => void; wasRetried: (response: Response) => boolean },
) {
  const started = performance.now();
  let imported = 0;
  let skipped = 0;
  let requests = 0;
  for (let start = 0; start < sales.length; start += chunkSize) {
    let rows = sales.slice(start, start + chunkSize);
    let conflictRetries = 0;
    while (rows.length > 0) {
      const result = await client.POST('/sales/import', {
        body: toCsv(rows, modelIds),
        bodySerializer: (csv: string) => csv,
        headers: { 'content-type': 'text/csv' },
      });
      requests++;
      if (result.response.status === 201) {
        imported += rows.length;
        break;
      }
      if (result.response.status !== 409) throw apiError('POST /sales/import', result);
      const taken = new Set(takenLines(result.error).map((line) => line - 2)); // line 1 is the header
      if (taken.size === 0) {
        // A conflict that names no externalId: a concurrent write won a race. Nothing was written; retry.
        if (conflictRetries++ >= 5) throw apiError('POST /sales/import', result);
        await sleep(500 * conflictRetries);
        continue;
      }
      // Rows found after our own unanswered attempt were most likely written by that attempt.
      if (hooks.wasRetried(result.response)) imported += taken.size;
      else skipped += taken.size;
      rows = rows.filter((_, i) => !taken.has(i));
    }
    hooks.progress(progressOf('import', imported + skipped, sales.length, started));
  }
  return { imported, skipped, requests };
}

/** The CSV lines a 409 names as holding an externalId that already exists. */
function takenLines(problem: unknown): number[] {
  const errors = (problem as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((issue: { column?: unknown; line?: unknown }) =>
    issue.column === 'externalId' && typeof issue.line === 'number' ? [issue.line] : [],
  );
}

function progressOf(phase: SeedProgress['phase'], done: number, total: number, since: number): SeedProgress {
  const seconds = (performance.now() - since) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  return { phase, done, total, rate, secondsLeft: rate > 0 ? (total - done) / rate : undefined };
}

/**
 * Waits until `GET /stats/revenue` over the window counts at least the seeded orders in every currency (the
 * scheduled projector materializes big imports after they answer), then returns the figures.
 */
async function awaitStats(
  client: ApiClient,
  sales: readonly DemoSale[],
  window: { from: string; to: string },
  timeoutMs: number,
  progress: (state: SeedProgress) => void,
  log: (line: string) => void,
): Promise<SeedSummary['revenue']> {
  const expected = new Map<string, number>();
  for (const sale of sales) expected.set(sale.currency, (expected.get(sale.currency) ?? 0) + 1);
  const total = sales.length;
  const started = performance.now();
  for (;;) {
    const revenue: SeedSummary['revenue'] = {};
    for (const currency of expected.keys()) {
      const stats = await client.GET('/stats/revenue', {
        params: { query: { from: window.from, to: window.to, currency } },
      });
      if (!stats.data) throw apiError('GET /stats/revenue', stats);
      const { totalRevenue, orders, units } = stats.data;
      revenue[currency] = { totalRevenue, orders, units };
    }
    const visible = [...expected].reduce(
      (sum, [currency, orders]) => sum + Math.min(orders, revenue[currency]?.orders ?? 0),
      0,
    );
    progress(progressOf('stats', visible, total, started));
    if (visible >= total) return revenue;
    const waited = performance.now() - started;
    if (waited >= timeoutMs) {
      log(
        `warning: after ${(waited / 1000).toFixed(0)} s the stats show ${fmt(visible)}/${fmt(total)} sales`,
      );
      return revenue;
    }
    await sleep(1000);
  }
}

function toCsv(rows: readonly DemoSale[], modelIds: readonly string[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const sale of rows) {
    const modelId = modelIds[sale.modelIndex];
    if (!modelId) throw new Error(`No model for index ${sale.modelIndex}`);
    lines.push(
      `${modelId},${sale.soldAt},${sale.quantity},${sale.unitPrice},${sale.currency},${sale.country},${sale.externalId}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `fetch` with retries: network errors (the request may have been applied: the answer is marked in `retried`)
 * and 429 / 503 (refused before any work), honouring Retry-After.
 */
function retrying(retried: WeakSet<Response>) {
  return async (request: Request): Promise<Response> => {
    let failedBefore = false;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(request.clone());
      } catch (error) {
        if (attempt >= 4)
          throw new Error(`${request.method} ${request.url}: ${String(error)}`, { cause: error });
        failedBefore = true;
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if ((response.status === 429 || response.status === 503) && attempt < 6) {
        const retryAfter = Number(response.headers.get('retry-after')) || 0;
        await response.body?.cancel();
        await sleep(retryAfter > 0 ? retryAfter * 1000 : 500 * 2 ** attempt);
        continue;
      }
      if (failedBefore) retried.add(response);
      return response;
    }
  };
}

function apiError(what: string, result: { error?: unknown; response: Response }): Error {
  const body = typeof result.error === 'string' ? result.error : JSON.stringify(result.error);
  return new Error(`${what} answered ${result.response.status}: ${(body ?? '').slice(0, 2000)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Output: milestones as lines, progress as one line redrawn in place

/**
 * Writes milestones as lines and the progress as ONE line, redrawn in place on a terminal (at most every 10 %
 * as a new line otherwise, e.g. in CI logs). `quiet(line)` holds back other output while the seed runs (the
 * local server's request lines), except errors; `end()` says how many lines it held back.
 */
export function consoleOutput(stream: NodeJS.WriteStream = process.stdout, prefix = 'seed') {
  const tty = stream.isTTY === true;
  let current = '';
  let lastPrinted = { phase: '', tenth: -1 };
  let held = 0;
  let running = true;
  const clear = () => {
    if (tty && current) stream.write('\r\x1b[2K');
  };
  const redraw = () => {
    if (tty && current) stream.write(current);
  };
  const line = (text: string) => {
    clear();
    stream.write(`${new Date().toISOString()} ${prefix}: ${text}\n`);
    redraw();
  };
  return {
    log: line,
    progress(state: SeedProgress) {
      const text = progressText(state);
      if (tty) {
        clear();
        current = `${prefix}: ${text}`;
        redraw();
        return;
      }
      const tenth = Math.floor((10 * state.done) / Math.max(1, state.total));
      if (tenth !== lastPrinted.tenth || state.phase !== lastPrinted.phase) {
        lastPrinted = { phase: state.phase, tenth };
        line(text);
      }
    },
    /** True when the line is held back: another output's line (a request log line) while the seed runs. */
    quiet(other: string): boolean {
      if (!running) return false;
      if (/^error\b/.test(other) || / 5\d\d [\d.]+ms /.test(other)) {
        clear();
        stream.write(`${new Date().toISOString()} ${other}\n`);
        redraw();
        return true;
      }
      held++;
      return true;
    },
    end() {
      if (!running) return;
      running = false;
      if (tty && current) stream.write('\n');
      current = '';
      if (held > 0) line(`${fmt(held)} request log lines held back while seeding`);
    },
  };
}

const BAR_WIDTH = 24;

/** `import [█████████░░░░░░░░░░░░░░░] 38,000/100,000 sales · 1,450/s · 43 s left` */
export function progressText(state: SeedProgress): string {
  const share = state.total === 0 ? 1 : Math.min(1, state.done / state.total);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]`;
  const what = state.phase === 'import' ? 'sales imported' : 'sales in the stats';
  const left =
    state.done >= state.total
      ? 'done'
      : state.secondsLeft === undefined
        ? 'estimating'
        : `${duration(state.secondsLeft)} left`;
  return `${state.phase === 'import' ? 'import' : 'stats '} ${bar} ${fmt(state.done)}/${fmt(state.total)} ${what} · ${fmt(Math.round(state.rate))}/s · ${left}`;
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The error and its chain of `cause`s. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at = error; at instanceof Error && chain.length < 10; at = at.cause) chain.push(at);
  return chain;
}

const byName = <T extends { name: string }>(items: T[]) =>
  new Map(items.map((item) => [key(item.name), item]));
// Names are unique case-insensitively (lower(name)) and trimmed by the API.
const key = (name: string) => name.trim().toLowerCase();
const countModels = () => DEMO_BRANDS.reduce((sum, brand) => sum + brand.models.length, 0);
const fmt = (n: number) => n.toLocaleString('en-US');

if (require.main === module) {
  const output = consoleOutput();
  Promise.resolve()
    .then(() => seed({ ...seedOptionsFromEnv(process.env, process.argv.slice(2)), ...output }))
    .catch((error: unknown) => {
      output.end();
      console.error(error instanceof Error ? error.message : error);
      if (causes(error).some((cause) => (cause as { code?: unknown }).code === 'ECONNREFUSED'))
        console.error('Is the API running? Start it with `npm start`, or set API_URL.');
      process.exitCode = 1;
    })
    .then(() => output.end());
}
