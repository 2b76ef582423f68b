/**
 * Loads the demo data set through the real API: a client-credentials token, `POST /brands`, `POST /models`,
 * then the sales as CSV imports (`POST /sales/import`) in chunks, with progress.
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
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import * as z from 'zod';
import type { Brand } from '../lambdas/brand/schemas';
import type { Model } from '../lambdas/model/schemas';
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
  log?: (line: string) => void;
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
  const total = options.sales ?? 100_000;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const clientId = options.clientId ?? 'demo-writer';
  const client = new ApiClient(options.url, clientId, options.clientSecret ?? `${clientId}-secret`);

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
  log(`sales: ${fmt(total)} generated for ${window.from}..${window.to} in ${ms(salesStarted)} ms`);
  const result = await seedSales(client, sales, catalog.modelIds, chunkSize, log);
  const salesSeconds = (performance.now() - salesStarted) / 1000;

  const statsStarted = performance.now();
  const revenue = await awaitStats(client, sales, window, options.statsTimeoutMs ?? 600_000, log);
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
      `brands ${catalog.brands.created} created, ${catalog.brands.existing} existing; ` +
      `models ${catalog.models.created} created, ${catalog.models.existing} existing; ` +
      `sales ${fmt(result.imported)} imported, ${fmt(result.skipped)} already there, ` +
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

/** Finds every demo brand and model by name, creating the missing ones; returns modelIds in catalog order. */
async function seedCatalog(client: ApiClient, log: (line: string) => void) {
  const brands = { created: 0, existing: 0 };
  const models = { created: 0, existing: 0 };
  const modelIds: string[] = [];
  let brandsByName = byName(await client.listAll<Brand>('/brands'));

  for (const demo of DEMO_BRANDS) {
    let brand = brandsByName.get(key(demo.name));
    if (brand) brands.existing++;
    else {
      const response = await client.request('POST', '/brands', {
        json: { name: demo.name, country: demo.country },
      });
      if (response.status === 201) {
        brand = response.body as Brand;
        brands.created++;
      } else if (response.status === 409) {
        // Created by someone else since we listed: look it up again.
        brandsByName = byName(await client.listAll<Brand>('/brands'));
        brand = brandsByName.get(key(demo.name));
        brands.existing++;
      } else throw apiError('POST /brands', response);
    }
    if (!brand) throw new Error(`Brand ${demo.name} is neither creatable nor listed`);
    if (brand.country !== demo.country)
      log(`warning: brand ${brand.name} exists with country ${brand.country ?? 'none'}, not ${demo.country}`);

    const brandId = brand.id;
    const modelPath = `/models?brandId=${brandId}`;
    let modelsByName = byName(await client.listAll<Model>(modelPath));
    for (const demoModel of demo.models) {
      let model = modelsByName.get(key(demoModel.name));
      if (model) models.existing++;
      else {
        const response = await client.request('POST', '/models', {
          json: {
            brandId,
            name: demoModel.name,
            bodyType: demoModel.bodyType,
            launchYear: demoModel.launchYear,
          },
        });
        if (response.status === 201) {
          model = response.body as Model;
          models.created++;
        } else if (response.status === 409) {
          modelsByName = byName(await client.listAll<Model>(modelPath));
          model = modelsByName.get(key(demoModel.name));
          models.existing++;
        } else throw apiError('POST /models', response);
      }
      if (!model) throw new Error(`Model ${demo.name} ${demoModel.name} is neither creatable nor listed`);
      modelIds.push(model.id);
    }
  }
  return { brands, models, modelIds };
}

interface ConflictIssue {
  line?: number;
  column?: string;
  existingSaleId?: string;
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
  log: (line: string) => void,
) {
  const started = performance.now();
  let imported = 0;
  let skipped = 0;
  let requests = 0;
  let lastLog = 0;
  for (let start = 0; start < sales.length; start += chunkSize) {
    let rows = sales.slice(start, start + chunkSize);
    let conflictRetries = 0;
    while (rows.length > 0) {
      const response = await client.request('POST', '/sales/import', {
        body: toCsv(rows, modelIds),
        headers: { 'content-type': 'text/csv' },
      });
      requests++;
      if (response.status === 201) {
        imported += rows.length;
        break;
      }
      if (response.status !== 409) throw apiError('POST /sales/import', response);
      const issues = (response.body as { errors?: ConflictIssue[] } | undefined)?.errors ?? [];
      const taken = new Set(
        issues
          .filter((issue) => issue.column === 'externalId' && issue.line !== undefined)
          .map((issue) => (issue.line ?? 0) - 2), // line 1 is the header
      );
      if (taken.size === 0) {
        // A conflict that names no externalId: a concurrent write won a race. Nothing was written; retry.
        if (conflictRetries++ >= 5) throw apiError('POST /sales/import', response);
        await sleep(500 * conflictRetries);
        continue;
      }
      // Rows found after our own unanswered attempt were most likely written by that attempt.
      if (response.retried) imported += taken.size;
      else skipped += taken.size;
      rows = rows.filter((_, i) => !taken.has(i));
    }
    const done = imported + skipped;
    const seconds = (performance.now() - started) / 1000;
    // About every 10%, at least every 5 s, and at the end.
    const step = Math.max(chunkSize, Math.ceil(sales.length / 10));
    const due = Math.floor(done / step) > Math.floor(start / step);
    if (!due && done < sales.length && seconds - lastLog < 5) continue;
    lastLog = seconds;
    log(
      `sales: ${fmt(done)}/${fmt(sales.length)} (${Math.round((100 * done) / sales.length)}%) ` +
        `imported ${fmt(imported)}, already there ${fmt(skipped)} · ${fmt(Math.round(done / seconds))} rows/s · ` +
        `${seconds.toFixed(1)} s elapsed`,
    );
  }
  return { imported, skipped, requests };
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
  log: (line: string) => void,
): Promise<SeedSummary['revenue']> {
  const expected = new Map<string, number>();
  for (const sale of sales) expected.set(sale.currency, (expected.get(sale.currency) ?? 0) + 1);
  const total = sales.length;
  const started = performance.now();
  let lastLog = 0;
  for (;;) {
    const revenue: SeedSummary['revenue'] = {};
    for (const currency of expected.keys()) {
      const stats = await client.json<{ totalRevenue: string; orders: number; units: number }>(
        'GET',
        `/stats/revenue?from=${window.from}&to=${window.to}&currency=${currency}`,
      );
      revenue[currency] = { totalRevenue: stats.totalRevenue, orders: stats.orders, units: stats.units };
    }
    const visible = [...expected].reduce(
      (sum, [currency, orders]) => sum + Math.min(orders, revenue[currency]?.orders ?? 0),
      0,
    );
    const waited = performance.now() - started;
    if (visible >= total) {
      if (waited > 1000) log(`stats: all ${fmt(total)} sales visible after ${(waited / 1000).toFixed(1)} s`);
      return revenue;
    }
    if (waited >= timeoutMs) {
      log(
        `warning: after ${(waited / 1000).toFixed(0)} s the stats show ${fmt(visible)}/${fmt(total)} sales`,
      );
      return revenue;
    }
    if (waited - lastLog >= 5000 || lastLog === 0) {
      lastLog = waited || 1;
      log(
        `stats: ${fmt(visible)}/${fmt(total)} sales visible (${Math.round((100 * visible) / total)}%), ` +
          `waiting for the projector · ${(waited / 1000).toFixed(1)} s`,
      );
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

interface Response {
  status: number;
  body: unknown;
  text: string;
  /** Seconds, from a 429 or 503. */
  retryAfter: number | undefined;
  /** An earlier attempt failed without an answer: it may have been applied. */
  retried: boolean;
}

/** API client with a client-credentials token; retries network errors, 429, 503 and an expired token. */
class ApiClient {
  private token: string | undefined;

  constructor(
    private readonly url: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  async request(
    method: string,
    path: string,
    options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    let retried = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${await this.accessToken()}`,
        ...options.headers,
      };
      let body = options.body;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers['content-type'] = 'application/json';
      }
      let response: Response;
      try {
        response = await send(new URL(path, this.url), { method, headers, body });
      } catch (error) {
        if (attempt >= 4) throw new Error(`${method} ${path}: ${String(error)}`, { cause: error });
        retried = true;
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if (response.status === 401 && attempt === 1) {
        this.token = undefined; // expired: get a new one
        continue;
      }
      if ((response.status === 429 || response.status === 503) && attempt < 6) {
        await sleep(response.retryAfter ? response.retryAfter * 1000 : 500 * 2 ** attempt);
        continue;
      }
      return { ...response, retried };
    }
  }

  async json<T>(method: string, path: string): Promise<T> {
    const response = await this.request(method, path);
    if (response.status !== 200) throw apiError(`${method} ${path}`, response);
    return response.body as T;
  }

  /** Every item of a keyset-paginated list. */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: { items: T[]; nextCursor: string | null } = await this.json(
        'GET',
        `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  private async accessToken(): Promise<string> {
    if (this.token) return this.token;
    const basic = Buffer.from(
      `${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`,
    ).toString('base64');
    const response = await send(new URL('/oauth2/token', this.url), {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    const token = (response.body as { access_token?: unknown } | undefined)?.access_token;
    if (response.status !== 200 || typeof token !== 'string') throw apiError('POST /oauth2/token', response);
    this.token = token;
    return token;
  }
}

/**
 * One HTTP exchange over node:http(s). Not fetch: its 300 s headers timeout would abort (and so retry) a slow
 * import that the server still commits.
 */
function send(
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string | undefined },
): Promise<Response> {
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const headers = body ? { ...init.headers, 'content-length': String(body.length) } : init.headers;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: init.method, headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = /[/+]json\b/.test(response.headers['content-type'] ?? '');
          try {
            resolve({
              status: response.statusCode ?? 0,
              body: json && text ? JSON.parse(text) : text,
              text,
              retryAfter: Number(response.headers['retry-after']) || undefined,
              retried: false,
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

function apiError(what: string, response: Response): Error {
  return new Error(`${what} answered ${response.status}: ${response.text.slice(0, 2000)}`);
}

const byName = <T extends { name: string }>(items: T[]) =>
  new Map(items.map((item) => [key(item.name), item]));
// Names are unique case-insensitively (lower(name)) and trimmed by the API.
const key = (name: string) => name.trim().toLowerCase();
const countModels = () => DEMO_BRANDS.reduce((sum, brand) => sum + brand.models.length, 0);
const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (since: number) => Math.round(performance.now() - since);
const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));

if (require.main === module) {
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  Promise.resolve()
    .then(() => seed({ ...seedOptionsFromEnv(process.env, process.argv.slice(2)), log }))
    .catch((error: unknown) => {
      const refused = (error as { code?: string }).code === 'ECONNREFUSED';
      console.error(error instanceof Error ? error.message : error);
      if (refused) console.error('Is the API running? Start it with `npm start`, or set API_URL.');
      process.exitCode = 1;
    });
}
