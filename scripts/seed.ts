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
 * Options (env): API_URL, SEED_SALES (100000), SEED_CHUNK (10000 rows per import), SEED_CLIENT_ID and
 * SEED_CLIENT_SECRET (demo-writer), SEED_TODAY (YYYY-MM-DD; the window is the two years before it).
 */
import { z } from 'zod';
import type { Brand } from '../lambdas/brand/schemas';
import type { Model } from '../lambdas/model/schemas';
import { readEnv } from '../lambdas/shared/config';
import { DEMO_BRANDS, type DemoSale, generateSales, todayUtc } from './demo-data';

export interface SeedOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:3000. */
  url: string;
  /** How many sales (default 100000). */
  sales?: number;
  /** Rows per CSV import request (default 10000, about 1 MB). */
  chunkSize?: number;
  clientId?: string;
  clientSecret?: string;
  /** The UTC day the two-year window ends before (default: today). */
  today?: string;
  log?: (line: string) => void;
}

export interface SeedSummary {
  window: { from: string; to: string };
  brands: { created: number; existing: number };
  models: { created: number; existing: number };
  sales: { total: number; imported: number; skipped: number; requests: number };
  /** Revenue over the window per currency, from `GET /stats/revenue`. */
  revenue: Record<string, { totalRevenue: string; orders: number; units: number }>;
  seconds: { catalog: number; sales: number; total: number };
}

const CSV_COLUMNS = [
  'modelId',
  'soldAt',
  'quantity',
  'unitPrice',
  'currency',
  'country',
  'externalId',
] as const;

/** Options from the environment, for the CLI and `npm start -- --seed`. */
export function seedOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SeedOptions {
  const parsed = readEnv(
    {
      API_URL: z.url().default('http://127.0.0.1:3000'),
      SEED_SALES: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
      SEED_CHUNK: z.coerce.number().int().min(1).max(100_000).default(10_000),
      SEED_CLIENT_ID: z.string().min(1).default('demo-writer'),
      SEED_CLIENT_SECRET: z.string().min(1).optional(),
      SEED_TODAY: z.iso.date().optional(),
    },
    env,
  );
  return {
    url: parsed.API_URL,
    sales: parsed.SEED_SALES,
    chunkSize: parsed.SEED_CHUNK,
    clientId: parsed.SEED_CLIENT_ID,
    clientSecret: parsed.SEED_CLIENT_SECRET ?? `${parsed.SEED_CLIENT_ID}-secret`,
    today: parsed.SEED_TODAY,
  };
}

export async function seed(options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const total = options.sales ?? 100_000;
  const chunkSize = options.chunkSize ?? 10_000;
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

  const revenue: SeedSummary['revenue'] = {};
  for (const currency of new Set(sales.map((sale) => sale.currency))) {
    const stats = await client.json<{ totalRevenue: string; orders: number; units: number }>(
      'GET',
      `/stats/revenue?from=${window.from}&to=${window.to}&currency=${currency}`,
    );
    revenue[currency] = { totalRevenue: stats.totalRevenue, orders: stats.orders, units: stats.units };
  }

  const summary: SeedSummary = {
    window,
    brands: catalog.brands,
    models: catalog.models,
    sales: { total, ...result },
    revenue,
    seconds: { catalog: catalogSeconds, sales: salesSeconds, total: (performance.now() - started) / 1000 },
  };
  log(
    `done in ${summary.seconds.total.toFixed(1)} s: sales ${fmt(result.imported)} imported, ` +
      `${fmt(result.skipped)} already there, in ${result.requests} import requests`,
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
  for (let start = 0; start < sales.length; start += chunkSize) {
    let rows = sales.slice(start, start + chunkSize);
    let concurrencyRetries = 0;
    while (rows.length > 0) {
      const requestStarted = performance.now();
      const response = await client.request('POST', '/sales/import', {
        body: toCsv(rows, modelIds),
        headers: { 'content-type': 'text/csv' },
      });
      requests++;
      if (response.status === 201) {
        imported += rows.length;
        break;
      }
      const issues =
        response.status === 409 ? ((response.body as { errors?: ConflictIssue[] })?.errors ?? []) : [];
      const taken = new Set(
        issues
          .filter((issue) => issue.column === 'externalId' && issue.line)
          .map((issue) => (issue.line ?? 0) - 2),
      );
      if (response.status === 409 && taken.size === 0 && concurrencyRetries++ < 3) continue; // lost a race: retry
      if (taken.size === 0) throw apiError('POST /sales/import', response);
      skipped += taken.size;
      rows = rows.filter((_, i) => !taken.has(i));
      if (rows.length > 0)
        log(
          `sales: ${fmt(taken.size)} of a chunk already there (${ms(requestStarted)} ms); importing the rest`,
        );
    }
    const done = imported + skipped;
    const seconds = (performance.now() - started) / 1000;
    log(
      `sales: ${fmt(done)}/${fmt(sales.length)} (${Math.round((100 * done) / sales.length)}%) ` +
        `imported ${fmt(imported)}, already there ${fmt(skipped)} · ${fmt(Math.round(done / seconds))} rows/s · ` +
        `${seconds.toFixed(1)} s elapsed`,
    );
  }
  return { imported, skipped, requests };
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
}

/** fetch with a client-credentials token, retrying what is worth retrying (network, 429, 503, expiry). */
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
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if (response.status === 401 && attempt === 1) {
        this.token = undefined; // expired: get a new one
        continue;
      }
      if ((response.status === 429 || response.status === 503) && attempt < 4) {
        await sleep(500 * 2 ** attempt);
        continue;
      }
      return response;
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

async function send(url: URL, init: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  const text = await response.text();
  const json = /[/+]json\b/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, body: json && text ? JSON.parse(text) : text, text };
}

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
  seed({ ...seedOptionsFromEnv(), log: (line) => console.log(`${new Date().toISOString()} ${line}`) }).catch(
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
