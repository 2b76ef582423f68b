/**
 * Property-based fuzzing of every route of the route table (lambdas/routes.ts), against the local stack over
 * real HTTP. For each route: known-good requests built from valid generators (and ids created in setup) must
 * succeed with the documented status and body; the same requests bent in every way we can think of (wrong types,
 * missing and extra fields, huge and unicode strings, boundary numbers and dates, malformed JSON, wrong content
 * types, bad CSV, weird path parameters and query strings, odd headers) must never answer 5xx, must answer
 * problem+json when refused, and a refused request must not change a single stored row.
 *
 * Runs scale with FUZZ_SCALE (default 1); FUZZ_SEED replays a failing run.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ApiClient,
  fetchToken,
  type RawRequest,
  type RawResponse,
  type Schemas,
  sendRaw,
} from '../client';
import { TIER_NAMES } from '../lambdas/partner/tiers';
import { type OperationId, routes } from '../lambdas/routes';
import { SALE_FIELDS, SaleCreate } from '../lambdas/sales/schemas';
import { GRANULARITIES } from '../lambdas/shared/periods';
import type { RouteSpec } from '../lambdas/shared/route';
import { PageQuery } from '../lambdas/shared/schemas';
import { MAX_DAYS, MAX_STATS_DAYS, TopModelsQuery } from '../lambdas/stats/schemas';
import type { LocalStack } from '../local/stack';
import { expectData, one } from '../test/support/api';
import { stackTest } from '../test/support/fixtures';
import * as arb from './support/arbitraries';
import { expectProblemShape } from './support/http';
import { LITERAL_SEGMENTS, type Verdict, verdictOf } from './support/routes';
import { expectConverged, type Fingerprint, fingerprint as fingerprintOf, WriteLog } from './support/state';

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const VALID_RUNS = Math.round(30 * SCALE);
const INVALID_RUNS = Math.round(140 * SCALE);
const ROUTING_RUNS = Math.round(200 * SCALE);

let stack: LocalStack;
const writes = new WriteLog();
const fingerprint = () => fingerprintOf(stack, writes);
let token: Record<'read' | 'write' | 'admin', string>;
let writer: ApiClient;
let admin: ApiClient;

/** Ids and cursors created in setup, that valid requests refer to. */
interface Fixtures {
  brandIds: string[];
  patchBrandId: string;
  modelIds: string[];
  patchModelId: string;
  saleIds: string[];
  cursors: { brands: string; models: string; sales: string };
}
let fx: Fixtures;

/** What was sent, by route and kind, and what came back: printed at the end, asserted in part. */
const stats = {
  requests: 0,
  byRoute: new Map<string, { valid: number; invalid: number; statuses: Map<number, number> }>(),
  undocumented: new Set<string>(),
};

const test = stackTest({ projectorIntervalMs: 0, wrapSql: writes.wrap });

test.beforeAll(async ({ stack: started, writer: demoWriter, admin: demoAdmin }) => {
  stack = started;
  writer = demoWriter;
  admin = demoAdmin;
  const tokenOf = async (clientId: string) =>
    (await fetchToken(stack.url, { clientId, clientSecret: `${clientId}-secret` })).access_token;
  token = {
    read: await tokenOf('demo-reader'),
    write: await tokenOf('demo-writer'),
    admin: await tokenOf('demo-admin'),
  };
  const brands = await Promise.all(
    ['Fuzz Motors', 'Øresund Automobiles', 'Patchable'].map(async (name) =>
      expectData(await admin.POST('/brands', { body: { name, country: 'DE' } }), 201),
    ),
  );
  const [a, b, patchable] = brands as [Schemas['Brand'], Schemas['Brand'], Schemas['Brand']];
  const models: Schemas['Model'][] = [];
  for (const [brand, name] of [
    [a, 'Alpha'],
    [a, 'Beta'],
    [b, 'Gamma'],
    [a, 'Patchable'],
  ] as const) {
    models.push(
      expectData(await admin.POST('/models', { body: { brandId: brand.id, name, launchYear: 2020 } }), 201),
    );
  }
  const saleModels = models.slice(0, 3).map((model) => model.id);
  const sales = expectData(
    await writer.POST('/sales/batch', {
      body: {
        sales: saleModels.flatMap((modelId, i) => [
          {
            modelId,
            soldAt: '2025-03-01T10:00:00Z',
            quantity: i + 1,
            unitPrice: '19999.90',
            ...(i === 0 ? { externalId: 'fixture-ext' } : {}),
          },
          { modelId, soldAt: '2025-03-02', quantity: 2, unitPrice: '500', currency: 'JPY', country: 'JP' },
        ]),
      },
    }),
    201,
  );
  const cursor = (path: string, page: { nextCursor: string | null }) => {
    if (!page.nextCursor) throw new Error(`setup: no cursor from ${path}`);
    return page.nextCursor;
  };
  const firstOf = { params: { query: { limit: 1 } } };
  fx = {
    brandIds: [a.id, b.id],
    patchBrandId: patchable.id,
    modelIds: saleModels,
    patchModelId: (models[3] as Schemas['Model']).id,
    saleIds: sales.items.map((sale) => sale.id),
    cursors: {
      brands: cursor('/brands', expectData(await writer.GET('/brands', firstOf))),
      models: cursor('/models', expectData(await writer.GET('/models', firstOf))),
      sales: cursor('/sales', expectData(await writer.GET('/sales', firstOf))),
    },
  };
});

afterAll(async () => {
  const lines = [...stats.byRoute].map(
    ([id, s]) =>
      `  ${id.padEnd(18)} valid ${String(s.valid).padStart(4)}  invalid ${String(s.invalid).padStart(4)}  statuses ${[
        ...s.statuses,
      ]
        .sort(([x], [y]) => x - y)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ')}`,
  );
  console.log(
    `fuzz: ${stats.requests} requests\n${lines.join('\n')}${
      stats.undocumented.size
        ? `\n  statuses not in the route table: ${[...stats.undocumented].join(', ')}`
        : ''
    }`,
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Requests

interface Input {
  params: Record<string, string>;
  query: Record<string, string>;
  /** Appended to the query string exactly as is (already encoded, or malformed on purpose). */
  rawQuery?: string;
  /** Path parameters go in unencoded (slashes, dots, percent signs and all). */
  rawParams?: boolean;
  /** A JSON value, or the exact body text; absent: no body. */
  body?: { json: unknown } | { text: string };
  /** undefined: the route's media type; null: no content-type header at all. */
  contentType?: string | null;
  headers: Record<string, string>;
}

/** Percent-encodes a path segment; a lone surrogate goes as its (undecodable) WTF-8 bytes. */
function encodeSegment(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    out +=
      char.length === 1 && code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(char);
  }
  return out;
}

const input = (parts: Partial<Input> = {}): Input => ({ params: {}, query: {}, headers: {}, ...parts });

function toRequest(route: RouteSpec, value: Input): RawRequest {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = value.params[name] ?? '';
    return value.rawParams ? param : encodeSegment(param);
  });
  const query = [new URLSearchParams(value.query).toString(), value.rawQuery ?? ''].filter(Boolean).join('&');
  const headers: Record<string, string> = {
    authorization: `Bearer ${token[route.access]}`,
    ...value.headers,
  };
  let body: string | undefined;
  if (value.body && route.method !== 'GET') {
    body = 'json' in value.body ? JSON.stringify(value.body.json) : value.body.text;
    const contentType =
      value.contentType === undefined ? (route.bodyType ?? 'application/json') : value.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
  }
  return { method: route.method, path: query ? `${path}?${query}` : path, headers, body };
}

// ---------------------------------------------------------------------------------------------------------------
// Known-good requests, one generator per operation (the Record type makes a new route a compile error here)

let serial = 0;
/** At most `max` UTF-16 code units of `value`, cut between code points. */
function clip(value: string, max: number): string {
  let out = '';
  for (const char of value) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out;
}
const uniqueName = (name: string) => `${clip(name, 88)} #${++serial}`;
const uniqueExternalId = (id: string) => `${clip(id, 190)}#${++serial}`;

function uniqueSale(sale: arb.SaleInput): arb.SaleInput {
  return sale.externalId === undefined ? sale : { ...sale, externalId: uniqueExternalId(sale.externalId) };
}

interface RouteFuzz {
  valid: fc.Arbitrary<Input>;
  /** Just before sending: makes names and externalIds unique, creates what a delete will remove. */
  finalize?: (value: Input) => Promise<Input>;
  /** Statuses a valid request may get. */
  ok: number[];
  /** How a valid request changes the counts of brands, models and sales. */
  delta?: (value: Input) => Partial<Record<'brands' | 'models' | 'sales', number>>;
  /** Route-specific bad requests, on top of the generic mutations. */
  invalid?: fc.Arbitrary<Mutation>[];
}

const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
const defined = <T extends Record<string, unknown>>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Record<string, string>;

/** A page size the route's own `limit` schema accepts: plain integers, and odd spellings only if it takes them. */
function limit(max: number, schema: z.core.$ZodType): fc.Arbitrary<string> {
  const odd = [`0${max}`, `${max}.0`, '1e1', ' 5', '+5', '5 '].filter(
    (value) => z.safeParse(schema, value).success,
  );
  return fc.oneof(
    fc.integer({ min: 1, max }).map(String),
    fc.constantFrom('1', String(max)),
    ...(odd.length > 0 ? [fc.constantFrom(...odd)] : []),
  );
}

const ifNoneMatch = optional(fc.constantFrom('"not-the-etag"', 'W/"weak"', '*', '"a", "b"'));
const idempotencyKey = optional(fc.stringMatching(/^[A-Za-z0-9._~-]{1,60}$/));

function csvCell(value: string, forceQuote: boolean): string {
  return forceQuote || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

type CsvColumn = (typeof SALE_FIELDS)[number];

interface CsvValue {
  rows: arb.SaleInput[];
  columns: CsvColumn[];
  quoteAll: boolean;
  eol: string;
  bom: boolean;
  trailingEol: boolean;
  blankLines: boolean;
}

/** At most `digits` decimals (cut, not rounded): a price valid in the currency, valid in EUR too. */
const clipDecimals = (price: string, digits: number) =>
  price.replace(new RegExp(`(\\.\\d{0,${digits}})\\d*$`), '$1').replace(/\.$/, '');

/** A CSV the import accepts: required columns plus any optional ones in any order, quoting, line ends, BOM. */
function csvOf(modelIds: string[]): fc.Arbitrary<CsvValue> {
  const optionalColumns: CsvColumn[] = ['currency', 'country', 'externalId'];
  return fc
    .record({
      rows: fc.array(arb.sale(modelIds), { minLength: 1, maxLength: 6 }),
      columns: fc.subarray(optionalColumns).chain((extra) => {
        const all: CsvColumn[] = ['modelId', 'soldAt', 'quantity', 'unitPrice', ...extra];
        return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
      }),
      quoteAll: fc.boolean(),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      trailingEol: fc.boolean(),
      blankLines: fc.boolean(),
    })
    .map((spec) => ({
      ...spec,
      // A row can only carry the fields the header names; without a currency column prices are in EUR.
      rows: spec.rows.map((row) => {
        const kept: arb.SaleInput = { ...row };
        for (const column of optionalColumns)
          if (!spec.columns.includes(column)) delete kept[column as keyof arb.SaleInput];
        if (!spec.columns.includes('currency')) kept.unitPrice = clipDecimals(row.unitPrice, 2);
        return kept;
      }),
    }));
}

function renderCsv(spec: CsvValue, rows = spec.rows): string {
  const lines = [
    spec.columns.join(','),
    ...rows.map((row) =>
      spec.columns
        .map((column) => {
          const cell = row[column];
          return cell === undefined ? '' : csvCell(String(cell), spec.quoteAll);
        })
        .join(','),
    ),
  ];
  const body = lines.join(spec.blankLines ? spec.eol + spec.eol : spec.eol);
  return `${spec.bom ? '\uFEFF' : ''}${body}${spec.trailingEol ? spec.eol : ''}`;
}

async function fresh<T>(response: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  return expectData(await response, 201);
}

function table(): Record<OperationId, RouteFuzz> {
  const brandId = fc.constantFrom(...fx.brandIds);
  const modelId = fc.constantFrom(...fx.modelIds);
  const statsRange = arb.range(MAX_STATS_DAYS);
  const csv = csvOf(fx.modelIds);
  const csvRows = new WeakMap<Input, number>();
  return {
    createBrand: {
      valid: fc
        .record({ name: arb.name, country: optional(arb.country) })
        .map((body) => input({ body: { json: defined(body) } })),
      finalize: async (value) =>
        withJson(value, (body) => ({ ...body, name: uniqueName(String(body.name)) })),
      ok: [201],
      delta: () => ({ brands: 1 }),
    },
    listBrands: {
      valid: fc
        .record({
          limit: optional(limit(100, PageQuery.shape.limit)),
          cursor: optional(fc.constant(fx.cursors.brands)),
        })
        .map((query) => input({ query: defined(query) })),
      ok: [200],
    },
    getBrand: {
      valid: fc
        .record({ brandId, inm: ifNoneMatch })
        .map(({ brandId, inm }) =>
          input({ params: { brandId }, headers: defined({ 'if-none-match': inm }) }),
        ),
      ok: [200, 304],
    },
    updateBrand: {
      valid: fc
        .record({
          body: fc.record(
            { name: arb.name, country: fc.option(arb.country, { nil: null }) },
            { requiredKeys: [] },
          ),
          ifMatch: optional(fc.constant('*')),
        })
        .map(({ body, ifMatch }) =>
          input({
            params: { brandId: fx.patchBrandId },
            body: { json: body },
            headers: defined({ 'if-match': ifMatch }),
          }),
        ),
      finalize: async (value) =>
        withJson(value, (body) =>
          body.name === undefined ? body : { ...body, name: uniqueName(String(body.name)) },
        ),
      ok: [200],
    },
    deleteBrand: {
      valid: fc.constant(input()),
      finalize: async (value) => {
        const brand = await fresh(admin.POST('/brands', { body: { name: uniqueName('Doomed') } }));
        return { ...value, params: { brandId: brand.id } };
      },
      ok: [204],
      delta: () => ({ brands: -1 }),
    },
    createModel: {
      valid: fc
        .record(
          { brandId, name: arb.name, bodyType: arb.bodyType, launchYear: arb.launchYear },
          { requiredKeys: ['brandId', 'name'] },
        )
        .map((body) => input({ body: { json: body } })),
      finalize: async (value) =>
        withJson(value, (body) => ({ ...body, name: uniqueName(String(body.name)) })),
      ok: [201],
      delta: () => ({ models: 1 }),
    },
    listModels: {
      valid: fc
        .oneof(
          fc.record({
            limit: optional(limit(100, PageQuery.shape.limit)),
            cursor: optional(fc.constant(fx.cursors.models)),
          }),
          fc.record({
            limit: optional(limit(100, PageQuery.shape.limit)),
            brandId: fc.oneof(brandId, fc.uuid()),
          }),
        )
        .map((query) => input({ query: defined(query) })),
      ok: [200],
    },
    getModel: {
      valid: fc
        .record({ modelId: fc.constantFrom(...fx.modelIds, fx.patchModelId), inm: ifNoneMatch })
        .map(({ modelId, inm }) =>
          input({ params: { modelId }, headers: defined({ 'if-none-match': inm }) }),
        ),
      ok: [200, 304],
    },
    updateModel: {
      valid: fc
        .record({
          body: fc.record(
            {
              name: arb.name,
              bodyType: fc.option(arb.bodyType, { nil: null }),
              launchYear: fc.option(arb.launchYear, { nil: null }),
            },
            { requiredKeys: [] },
          ),
          ifMatch: optional(fc.constant('*')),
        })
        .map(({ body, ifMatch }) =>
          input({
            params: { modelId: fx.patchModelId },
            body: { json: body },
            headers: defined({ 'if-match': ifMatch }),
          }),
        ),
      finalize: async (value) =>
        withJson(value, (body) =>
          body.name === undefined ? body : { ...body, name: uniqueName(String(body.name)) },
        ),
      ok: [200],
    },
    deleteModel: {
      valid: fc.constant(input()),
      finalize: async (value) => {
        const model = await fresh(
          admin.POST('/models', { body: { brandId: one(fx.brandIds), name: uniqueName('Doomed') } }),
        );
        return { ...value, params: { modelId: model.id } };
      },
      ok: [204],
      delta: () => ({ models: -1 }),
    },
    createSale: {
      valid: fc
        .record({ sale: arb.sale(fx.modelIds), key: idempotencyKey })
        .map(({ sale, key }) =>
          input({ body: { json: sale }, headers: defined({ 'idempotency-key': key }) }),
        ),
      finalize: async (value) =>
        uniqueKey(withJson(value, (body) => ({ ...uniqueSale(body as unknown as arb.SaleInput) }))),
      ok: [201],
      delta: () => ({ sales: 1 }),
      invalid: [saleMutation(false)],
    },
    createSalesBatch: {
      valid: fc
        .record({
          sales: fc.array(arb.sale(fx.modelIds), { minLength: 1, maxLength: 8 }),
          key: idempotencyKey,
        })
        .map(({ sales, key }) =>
          input({ body: { json: { sales } }, headers: defined({ 'idempotency-key': key }) }),
        ),
      finalize: async (value) =>
        uniqueKey(
          withJson(value, (body) => ({
            sales: (body.sales as arb.SaleInput[]).map((sale) => uniqueSale(sale)),
          })),
        ),
      ok: [201],
      delta: (value) => ({ sales: ((value.body as { json: { sales: unknown[] } }).json.sales ?? []).length }),
      invalid: [saleMutation(true), batchSizeMutation()],
    },
    // Events name a model that does not exist: the worker rejects them, so no count changes behind the fuzzer.
    createSaleEvents: {
      valid: fc
        .array(arb.sale(['00000000-0000-4000-8000-00000000dead']), { minLength: 1, maxLength: 5 })
        .map((events) => input({ body: { json: { events } } })),
      finalize: async (value) =>
        withJson(value, (body) => ({
          events: (body.events as arb.SaleInput[]).map((sale) => uniqueSale(sale)),
        })),
      ok: [202],
    },
    getSaleEvent: {
      valid: fc.constant(input({ params: { ingestionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7.0' } })),
      ok: [404],
    },
    importSales: {
      valid: fc.record({ spec: csv, key: idempotencyKey }).map(({ spec, key }) => {
        const value = input({ body: { text: '' }, headers: defined({ 'idempotency-key': key }) });
        csvSpecs.set(value, spec);
        csvRows.set(value, spec.rows.length);
        return value;
      }),
      finalize: async (value) => {
        const spec = csvSpecs.get(value);
        if (!spec) throw new Error('no CSV spec');
        const rows = spec.rows.map((row) => uniqueSale(row));
        const next = uniqueKey({ ...value, body: { text: renderCsv(spec, rows) } });
        csvSpecs.set(next, { ...spec, rows });
        csvRows.set(next, rows.length);
        return next;
      },
      ok: [201],
      delta: (value) => ({ sales: csvRows.get(value) ?? Number.NaN }),
      invalid: [badCsv()],
    },
    listSales: {
      valid: fc
        .oneof(
          fc.record({
            limit: optional(limit(100, PageQuery.shape.limit)),
            cursor: optional(fc.constant(fx.cursors.sales)),
          }),
          fc.record(
            {
              limit: limit(100, PageQuery.shape.limit),
              modelId: fc.oneof(modelId, fc.uuid()),
              brandId: fc.oneof(brandId, fc.uuid()),
              from: arb.day('0001-01-01'),
              to: arb.day('0001-01-01'),
            },
            { requiredKeys: [] },
          ),
        )
        // A valid range is ordered: `from` after `to` is a 400 like the stats'.
        .map((query) =>
          'from' in query && 'to' in query && query.from && query.to && query.from > query.to
            ? { ...query, from: query.to, to: query.from }
            : query,
        )
        .map((query) => input({ query: defined(query) })),
      ok: [200],
    },
    getSale: {
      valid: fc
        .record({ saleId: fc.constantFrom(...fx.saleIds), inm: ifNoneMatch })
        .map(({ saleId, inm }) => input({ params: { saleId }, headers: defined({ 'if-none-match': inm }) })),
      ok: [200, 304],
    },
    deleteSale: {
      valid: fc.constant(input()),
      finalize: async (value) => {
        const sale = await fresh(
          writer.POST('/sales', {
            body: {
              modelId: one(fx.modelIds),
              soldAt: '2025-03-03T12:00:00Z',
              quantity: 1,
              unitPrice: '100',
            },
          }),
        );
        return { ...value, params: { saleId: sale.id } };
      },
      ok: [204],
      delta: () => ({ sales: -1 }),
    },
    getModelSales: {
      valid: fc
        .record({
          modelId: fc.constantFrom(...fx.modelIds, fx.patchModelId),
          granularity: optional(fc.constantFrom(...GRANULARITIES)),
          currency: optional(arb.currency),
          inm: ifNoneMatch,
        })
        .chain(({ modelId, granularity, currency, inm }) =>
          arb.range(MAX_DAYS[granularity ?? 'day']).map(({ from, to }) =>
            input({
              params: { modelId },
              query: defined({ from, to, granularity, currency }),
              headers: defined({ 'if-none-match': inm }),
            }),
          ),
        ),
      ok: [200, 304],
    },
    getRevenue: {
      valid: fc
        .record({ range: statsRange, currency: optional(arb.currency) })
        .map(({ range, currency }) => input({ query: defined({ ...range, currency }) })),
      ok: [200],
    },
    getDailyRevenue: {
      valid: fc
        .record({ range: statsRange, currency: optional(arb.currency) })
        .map(({ range, currency }) => input({ query: defined({ ...range, currency }) })),
      ok: [200],
    },
    getTopModels: {
      valid: fc
        .record({
          range: statsRange,
          currency: optional(arb.currency),
          by: optional(fc.constantFrom('units', 'revenue')),
          limit: optional(limit(50, TopModelsQuery.shape.limit)),
          brandId: optional(fc.oneof(brandId, fc.uuid())),
        })
        .map(({ range, ...rest }) => input({ query: defined({ ...range, ...rest }) })),
      ok: [200],
    },
    getBrandStats: {
      valid: fc
        .record({ brandId, range: statsRange, currency: optional(arb.currency) })
        .map(({ brandId, range, currency }) =>
          input({ params: { brandId }, query: defined({ ...range, currency }) }),
        ),
      ok: [200],
    },
    createPartner: {
      valid: fc
        .record({ name: partnerName, tier, role: optional(fc.constantFrom('reader', 'writer')) })
        .map((body) => input({ body: { json: defined(body) } })),
      ok: [201],
    },
    listPartners: { valid: fc.constant(input()), ok: [200] },
    getPartner: { valid: fc.constant(input()), finalize: withPartner, ok: [200] },
    updatePartner: {
      valid: fc
        .record({ name: optional(partnerName), tier })
        .map((body) => input({ body: { json: defined(body) } })),
      finalize: withPartner,
      ok: [200],
    },
    deletePartner: { valid: fc.constant(input()), finalize: withPartner, ok: [204] },
  };
}

const partnerName = fc.constantFrom('Nordic Dealers AB', 'Autohaus Süd', 'R&D (EU)', 'Fleet+ 24');
const tier = fc.constantFrom(...TIER_NAMES);

/** A fresh partner for the operations on one. */
async function withPartner(value: Input): Promise<Input> {
  const partner = await fresh(
    admin.POST('/partners', { body: { name: 'Fuzzed Partner', tier: 'sandbox', role: 'reader' } }),
  );
  return { ...value, params: { clientId: partner.clientId } };
}

const csvSpecs = new WeakMap<Input, CsvValue>();

function withJson(value: Input, change: (body: Record<string, unknown>) => Record<string, unknown>): Input {
  if (!value.body || !('json' in value.body)) return value;
  return { ...value, body: { json: change(value.body.json as Record<string, unknown>) } };
}

function uniqueKey(value: Input): Input {
  const key = value.headers['idempotency-key'];
  return key === undefined
    ? value
    : { ...value, headers: { ...value.headers, 'idempotency-key': `${key}-${++serial}` } };
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations: how a known-good request is bent

interface Mutation {
  kind: string;
  /** The request must be refused whenever it still reaches this route (given what was finally sent). */
  mustReject?: boolean | ((sent: Input) => boolean);
  /** The only statuses acceptable (when the route is still reached and its content type accepted). */
  only?: number[];
  apply: (value: Input) => Input;
  toString(): string;
}

const mutation = (kind: string, apply: Mutation['apply'], extra: Partial<Mutation> = {}): Mutation => ({
  kind,
  apply,
  ...extra,
  toString: () => kind,
});

const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{0,100}$/),
  fc.constantFrom('', '*', '"x"', 'W/"x"', '"', ',', '*, "x"', 'x'.repeat(4000)),
);

const rawQueries = fc.oneof(
  fc.constantFrom(
    '%',
    '%ZZ',
    '%E0%A4%A',
    '&&&',
    '=',
    '==',
    'limit',
    'limit=',
    'limit=1&limit=abc',
    'limit=abc&limit=1',
    'a[b]=c',
    'a[]=1&a[]=2',
    '%00=%00',
    'from=2025-01-01&from=2025-02-30',
    `cursor=${'A'.repeat(2000)}`,
    '__proto__=1',
    'constructor=x',
    '%F0%9F%98%80=%F0%9F%98%80',
  ),
  fc.string({ maxLength: 60 }).map((value) => encodeURIComponent(value)),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

function genericMutations(route: RouteSpec): fc.Arbitrary<Mutation>[] {
  const out: fc.Arbitrary<Mutation>[] = [];
  const paramNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  if (paramNames.length > 0) {
    out.push(
      fc
        .record({ name: fc.constantFrom(...paramNames), value: arb.weirdShortString, raw: fc.boolean() })
        .filter(({ value }) => !LITERAL_SEGMENTS.has(value))
        .map(({ name, value, raw }) =>
          mutation(
            `path ${name}=${JSON.stringify(value.slice(0, 40))}${raw ? ' (raw)' : ''}`,
            (v) => ({ ...v, params: { ...v.params, [name]: value }, rawParams: raw || v.rawParams }),
            { mustReject: true },
          ),
        ),
      fc.record({ name: fc.constantFrom(...paramNames), id: fc.uuid() }).map(({ name, id }) =>
        mutation(`path ${name}=unknown ${id}`, (v) => ({ ...v, params: { ...v.params, [name]: id } }), {
          mustReject: true,
        }),
      ),
      fc.constantFrom(...paramNames).map((name) =>
        mutation(`path ${name} upper-cased`, (v) => ({
          ...v,
          params: { ...v.params, [name]: (v.params[name] ?? '').toUpperCase() },
        })),
      ),
    );
  }
  const queryKeys = route.query && 'shape' in route.query ? Object.keys(route.query.shape as object) : [];
  out.push(
    fc
      .record({
        key: fc.oneof(
          fc.constantFrom('foo', 'LIMIT', 'limit ', '', 'a'.repeat(300)),
          fc.string({ maxLength: 20 }),
        ),
        value: arb.weirdShortString,
      })
      .filter(({ key }) => !queryKeys.includes(key))
      .map(({ key, value }) =>
        mutation(`query extra ${JSON.stringify(key)}`, (v) => ({
          ...v,
          query: { ...v.query, [key]: value },
        })),
      ),
    rawQueries.map((raw) =>
      mutation(`raw query ${JSON.stringify(raw.slice(0, 40))}`, (v) => ({ ...v, rawQuery: raw })),
    ),
  );
  if (queryKeys.length > 0) {
    out.push(
      fc
        .record({
          key: fc.constantFrom(...queryKeys),
          value: fc.oneof(arb.weirdShortString, arb.weirdNumber.map(String)),
        })
        .map(({ key, value }) =>
          mutation(`query ${key}=${JSON.stringify(value.slice(0, 40))}`, (v) => ({
            ...v,
            query: { ...v.query, [key]: value },
          })),
        ),
      ...(queryKeys.includes('from') && queryKeys.includes('to')
        ? [
            fc
              .constantFrom(-1, MAX_STATS_DAYS - 1, MAX_STATS_DAYS, MAX_DAYS.week - 1, MAX_DAYS.week, 100_000)
              .map((span) =>
                mutation(`query to = from + ${span} days`, (v) =>
                  v.query.from ? { ...v, query: { ...v.query, to: arb.addDays(v.query.from, span) } } : v,
                ),
              ),
          ]
        : []),
      fc.constantFrom(...queryKeys).map((key) =>
        mutation(`query without ${key}`, (v) => {
          const { [key]: _, ...rest } = v.query;
          return { ...v, query: rest };
        }),
      ),
    );
  }
  const headerNames = route.headers ? Object.keys(route.headers._zod.def.shape) : [];
  if (headerNames.length > 0) {
    out.push(
      fc.record({ name: fc.constantFrom(...headerNames), value: headerValue }).map(({ name, value }) =>
        mutation(`header ${name}: ${JSON.stringify(value.slice(0, 40))}`, (v) => ({
          ...v,
          headers: { ...v.headers, [name]: value },
        })),
      ),
    );
  }
  if (route.body && route.bodyType !== 'text/csv') out.push(...jsonBodyMutations(route));
  if (route.body) {
    out.push(
      fc
        .oneof(arb.wrongContentType, fc.constant(null))
        .map((contentType) => mutation(`content-type ${contentType}`, (v) => ({ ...v, contentType }))),
      fc.constantFrom('absent', 'empty').map((how) =>
        mutation(`body ${how}`, (v) => ({ ...v, body: how === 'absent' ? undefined : { text: '' } }), {
          only: [400],
        }),
      ),
    );
  }
  return out;
}

function schemaKeys(schema: unknown): string[] {
  return schema && typeof schema === 'object' && 'shape' in schema ? Object.keys(schema.shape as object) : [];
}

function jsonBodyMutations(route: RouteSpec): fc.Arbitrary<Mutation>[] {
  const keys = schemaKeys(route.body);
  const objectOf = (v: Input) =>
    v.body && 'json' in v.body && v.body.json && typeof v.body.json === 'object'
      ? (v.body.json as Record<string, unknown>)
      : {};
  const field = fc.oneof(fc.constantFrom(...(keys.length ? keys : ['x'])), fc.string({ maxLength: 12 }));
  return [
    fc.record({ key: field, value: arb.weirdJson }).map(({ key, value }) =>
      mutation(`body.${key} = ${JSON.stringify(value)?.slice(0, 60)}`, (v) => ({
        ...v,
        body: { json: { ...objectOf(v), [key]: value } },
      })),
    ),
    fc.constantFrom(...(keys.length ? keys : ['x'])).map((key) =>
      mutation(`body without ${key}`, (v) => {
        const { [key]: _, ...rest } = objectOf(v);
        return { ...v, body: { json: rest } };
      }),
    ),
    fc.record({ key: field, literal: arb.rawNumberLiteral }).map(({ key, literal }) =>
      mutation(`body.${key} = raw ${literal}`, (v) => {
        const marker = '__RAW_LITERAL__';
        const text = JSON.stringify({ ...objectOf(v), [key]: marker }).replace(`"${marker}"`, literal);
        return { ...v, body: { text } };
      }),
    ),
    arb.weirdJson.map((value) =>
      mutation(`body = ${JSON.stringify(value)?.slice(0, 60)}`, (v) => ({ ...v, body: { json: value } })),
    ),
    arb.malformedJson.map((text) =>
      mutation(`body text ${JSON.stringify(text.slice(0, 40))}`, (v) => ({ ...v, body: { text } }), {
        mustReject: true,
      }),
    ),
    fc.constantFrom('{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {}}}').map((text) =>
      mutation(`prototype pollution ${text}`, (v) => ({
        ...v,
        body: { text: JSON.stringify({ ...objectOf(v), ...JSON.parse(text) }) },
      })),
    ),
  ];
}

/** A sale (alone or inside a batch) with one field broken in a way no schema-valid sale has. */
function saleMutation(inBatch: boolean): fc.Arbitrary<Mutation> {
  const broken = fc.oneof(
    fc.record({ field: fc.constantFrom(...SALE_FIELDS), value: arb.weirdJson }).map(({ field, value }) => ({
      label: `${field} = ${JSON.stringify(value)?.slice(0, 50)}`,
      change: (sale: Record<string, unknown>) => ({ ...sale, [field]: value }),
      // A weird value may still be a valid one (" " is a fine externalId): then only the schema can tell.
      mayBeValid: true,
    })),
    fc.constantFrom('modelId', 'soldAt', 'quantity', 'unitPrice').map((field) => ({
      label: `no ${field}`,
      change: (sale: Record<string, unknown>) => {
        const { [field]: _, ...rest } = sale;
        return rest;
      },
    })),
    fc.uuid().map((id) => ({
      label: 'unknown modelId',
      change: (sale: Record<string, unknown>) => ({ ...sale, modelId: id }),
    })),
    fc.constantFrom('JPY:1.5', 'EUR:1.001', 'KWD:0.0001', 'CLF:1.00001').map((pair) => {
      const [currency, unitPrice] = pair.split(':');
      return {
        label: `minor unit ${pair}`,
        change: (sale: Record<string, unknown>) => ({ ...sale, currency, unitPrice }),
      };
    }),
    fc.constantFrom('ext\u0000nul', '\u0000', 'x'.repeat(201)).map((externalId) => ({
      label: `externalId ${JSON.stringify(externalId.slice(0, 20))}`,
      change: (sale: Record<string, unknown>) => ({ ...sale, externalId }),
    })),
  );
  const changedItem = (v: Input, index: number): unknown => {
    const body = (v.body as { json: Record<string, unknown> }).json;
    if (!inBatch) return body;
    const sales = body.sales as unknown[];
    return sales[index % sales.length];
  };
  return fc.record({ broken, index: fc.nat() }).map(({ broken, index }) =>
    mutation(
      `${inBatch ? 'one batch item: ' : 'sale: '}${broken.label}`,
      (v) => {
        if (!v.body || !('json' in v.body)) return v;
        const body = v.body.json as Record<string, unknown>;
        if (!inBatch) return { ...v, body: { json: broken.change(body) } };
        const sales = [...(body.sales as Record<string, unknown>[])];
        const at = index % sales.length;
        sales[at] = broken.change(sales[at] ?? {});
        return { ...v, body: { json: { sales } } };
      },
      {
        mustReject: (sent) =>
          !('mayBeValid' in broken) || !SaleCreate.safeParse(changedItem(sent, index)).success,
      },
    ),
  );
}

function batchSizeMutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.constantFrom(0, 1001).map((n) =>
      mutation(
        `batch of ${n}`,
        (v) => {
          const first = ((v.body as { json: { sales: unknown[] } }).json.sales ?? [])[0];
          return { ...v, body: { json: { sales: Array.from({ length: n }, () => first) } } };
        },
        { only: [400] },
      ),
    ),
    fc.constant(
      mutation(
        'batch repeating an externalId',
        (v) => {
          const sales = (v.body as { json: { sales: arb.SaleInput[] } }).json.sales;
          const first = { ...(sales[0] as arb.SaleInput), externalId: `dup-${++serial}` };
          return { ...v, body: { json: { sales: [first, ...sales.slice(1), { ...first }] } } };
        },
        { only: [422] },
      ),
    ),
    fc.constant(
      mutation(
        'batch reusing a stored externalId',
        (v) => {
          const sales = (v.body as { json: { sales: arb.SaleInput[] } }).json.sales;
          return {
            ...v,
            body: {
              json: { sales: [...sales, { ...(sales[0] as arb.SaleInput), externalId: 'fixture-ext' }] },
            },
          };
        },
        { only: [409, 422] },
      ),
    ),
  );
}

/** CSV bodies the import must refuse with 422, whatever else they get right. */
function badCsv(): fc.Arbitrary<Mutation> {
  const badCells: Record<string, string[]> = {
    modelId: ['x', '00000000-0000-4000-8000-000000000000', ' '],
    soldAt: ['2025-13-01', '2025-02-29', '1899-12-31', '2025-01-01T00:00:00', 'yesterday'],
    quantity: ['0', '-1', '1.5', 'abc', '1000001', '1e3', ' 1'],
    unitPrice: ['1,5', '-1', 'abc', '1.23456', '1e3', '.5'],
    currency: ['eur', 'XXXX', 'E'],
    country: ['de', 'XX', 'DEU'],
    externalId: ['ext\u0000nul', 'x'.repeat(201)],
  };
  const spec = (v: Input) => csvSpecs.get(v);
  const text = (v: Input, csv: string): Input => ({ ...v, body: { text: csv } });
  // One record per line (cells' line breaks as spaces), so changing a line changes a record: `…,"line` + `,extra`
  // would otherwise only lengthen a quoted cell that goes on in the next line, a valid CSV.
  const oneLinePerRecord = (rows: arb.SaleInput[]) =>
    rows.map(
      (row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, cell]) => [
            key,
            typeof cell === 'string' ? cell.replace(/[\r\n]+/g, ' ') : cell,
          ]),
        ) as arb.SaleInput,
    );
  const lineOf = (v: Input, change: (lines: string[]) => string[]) => {
    const s = spec(v);
    const flat = s && { ...s, blankLines: false, trailingEol: false, bom: false };
    const csv = flat ? renderCsv(flat, oneLinePerRecord(flat.rows)) : '';
    return text(v, change(csv.split(s?.eol ?? '\n')).join(s?.eol ?? '\n'));
  };
  const reject = (kind: string, apply: Mutation['apply']) => mutation(`csv: ${kind}`, apply, { only: [422] });
  return fc.oneof(
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 300 })
      .filter((s) => s.trim() !== '')
      .map((junk) => reject(`junk ${JSON.stringify(junk.slice(0, 30))}`, (v) => text(v, junk))),
    fc
      .constantFrom(
        '\n',
        '\r\n\r\n',
        '\uFEFF',
        ' ',
        '"',
        '"a',
        'a,"b',
        ',,,',
        'modelId,soldAt,quantity,unitPrice',
      )
      .map((csv) => reject(`degenerate ${JSON.stringify(csv)}`, (v) => text(v, csv))),
    fc
      .constantFrom('Unknown', 'modelid', 'model_id', ' ', '')
      .map((column) =>
        reject(`extra column ${JSON.stringify(column)}`, (v) =>
          lineOf(v, ([header = '', ...rows]) => [`${header},${column}`, ...rows.map((row) => `${row},x`)]),
        ),
      ),
    fc.constant(
      reject('repeated column', (v) =>
        lineOf(v, ([header = '', ...rows]) => [`${header},modelId`, ...rows.map((row) => `${row},x`)]),
      ),
    ),
    fc.constantFrom('modelId', 'soldAt', 'quantity', 'unitPrice').map((column) =>
      reject(`missing column ${column}`, (v) => {
        const s = spec(v);
        if (!s) return v;
        return text(v, renderCsv({ ...s, columns: s.columns.filter((c) => c !== column) }));
      }),
    ),
    fc.constant(reject('header only', (v) => lineOf(v, ([header = '']) => [header]))),
    fc.constant(
      reject('ragged row', (v) =>
        lineOf(v, ([header = '', first = '', ...rows]) => [header, `${first},extra`, ...rows]),
      ),
    ),
    fc.constant(
      reject('short row', (v) =>
        lineOf(v, ([header = '', first = '', ...rows]) => [
          header,
          first.split(',').slice(0, 2).join(','),
          ...rows,
        ]),
      ),
    ),
    fc.constant(reject('unclosed quote', (v) => lineOf(v, (lines) => [...lines, '"unclosed,1,2,3']))),
    fc.constant(
      reject('quote inside a bare cell', (v) =>
        lineOf(v, (lines) => [...lines, lines.at(-1)?.replace(/,/, ',a"b') ?? '']),
      ),
    ),
    fc
      .record({ column: fc.constantFrom(...Object.keys(badCells)), pick: fc.nat(), row: fc.nat() })
      .map(({ column, pick, row }) => {
        const cells = badCells[column] ?? [];
        const bad = cells[pick % cells.length] ?? '';
        return reject(`bad ${column} ${JSON.stringify(bad.slice(0, 20))}`, (v) => {
          const s = spec(v);
          if (!s) return v;
          const columns = s.columns.includes(column as never) ? s.columns : [...s.columns, column as never];
          const rows = s.rows.map((r, i) => (i === row % s.rows.length ? { ...r, [column]: bad } : r));
          return text(v, renderCsv({ ...s, columns }, rows as arb.SaleInput[]));
        });
      }),
    fc.constant(
      reject('externalId repeated in the file', (v) => {
        const s = spec(v);
        if (!s) return v;
        const ext = `csv-dup-${++serial}`;
        const rows = [...s.rows, s.rows[0] as arb.SaleInput].map((r) => ({ ...r, externalId: ext }));
        const columns = s.columns.includes('externalId') ? s.columns : [...s.columns, 'externalId' as const];
        return text(v, renderCsv({ ...s, columns }, rows));
      }),
    ),
    fc.constant(
      mutation(
        'csv: JSON instead of CSV',
        (v) => ({ ...v, body: { text: JSON.stringify({ sales: spec(v)?.rows ?? [] }) } }),
        { only: [422] },
      ),
    ),
  );
}

/** One POST on a fresh, unpooled connection (node:http, no keep-alive). */
function postOnce(url: string, contentType: string, body: string) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
  }>((resolve, reject) => {
    const request = httpRequest(
      new URL(url, stack.url),
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token.write}`, 'content-type': contentType },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    // The server may cut the upload short once it has answered.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    request.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Oracles

function tally(route: RouteSpec, kind: 'valid' | 'invalid', status: number) {
  stats.requests += 1;
  const entry = stats.byRoute.get(route.operationId) ?? { valid: 0, invalid: 0, statuses: new Map() };
  entry[kind] += 1;
  entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
  stats.byRoute.set(route.operationId, entry);
  if (!(status in route.responses) && status !== 304)
    stats.undocumented.add(`${route.operationId} ${status}`);
}

/** The invariants every answer must meet, whatever was sent. */
async function checkAnswer(
  route: RouteSpec,
  request: RawRequest,
  response: RawResponse,
  before: Fingerprint,
  verdict: Verdict,
) {
  const sent = request.body === undefined ? '' : ` ${JSON.stringify(request.body.slice(0, 300))}`;
  const what = `${request.method} ${request.path.slice(0, 200)}${sent} → ${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, what).toBeLessThan(500);
  if (response.status >= 400) expectProblemShape(response);
  if (response.status >= 400 || request.method === 'GET') {
    expect(await fingerprint(), `a refused or read request changed stored rows: ${what}`).toEqual(before);
  } else {
    const after = await fingerprint();
    expect(after.outbox, `the request left projections behind: ${what}`).toBe(0);
  }
  if (verdict.sameRoute && response.status < 300) {
    const schema = (
      route.responses as Record<
        number,
        { schema?: { safeParse(value: unknown): { success: boolean; error?: unknown } } }
      >
    )[response.status]?.schema;
    if (schema) {
      const parsed = schema.safeParse(response.body);
      expect(parsed.success, `${what}\n${String(parsed.error)}`).toBe(true);
    }
  }
  return what;
}

async function exchange(route: RouteSpec, value: Input) {
  const request = toRequest(route, value);
  const verdict = verdictOf(route, new URL(request.path, stack.url), request.headers ?? {}, request.body);
  const before = await fingerprint();
  const response = await sendRaw(stack.url, request);
  const what = await checkAnswer(route, request, response, before, verdict);
  return { request, response, verdict, before, what };
}

const params = (runs: number) => ({ numRuns: runs, ...(SEED === undefined ? {} : { seed: SEED }) });

// ---------------------------------------------------------------------------------------------------------------

describe.sequential('fuzzing every route of the route table', () => {
  it('has a generator for every route (and no other)', () => {
    expect(Object.keys(table()).sort()).toEqual(routes.map((route) => route.operationId).sort());
  });

  for (const route of routes as readonly RouteSpec[]) {
    const id = route.operationId as OperationId;
    describe(`${route.method} ${route.path} (${id})`, () => {
      it(`valid requests succeed (${VALID_RUNS} runs)`, async () => {
        const fuzz = table()[id];
        await fc.assert(
          fc.asyncProperty(fuzz.valid, async (generated) => {
            const value = fuzz.finalize ? await fuzz.finalize(generated) : generated;
            const { response, verdict, before, what } = await exchange(route, value);
            tally(route, 'valid', response.status);
            expect(verdict, `the generator made an invalid request: ${what}`).toMatchObject({
              sameRoute: true,
              why: 'schema-valid',
            });
            expect(fuzz.ok, what).toContain(response.status);
            const after = await fingerprint();
            const delta = fuzz.delta?.(value) ?? {};
            expect(
              {
                brands: after.brands - before.brands,
                models: after.models - before.models,
                sales: after.sales - before.sales,
              },
              what,
            ).toEqual({ brands: 0, models: 0, sales: 0, ...delta });
          }),
          params(VALID_RUNS),
        );
      });

      it(`bent requests never fail the server and change nothing when refused (${INVALID_RUNS} runs)`, async () => {
        const fuzz = table()[id];
        const mutations = [...genericMutations(route), ...(fuzz.invalid ?? [])];
        await fc.assert(
          fc.asyncProperty(fuzz.valid, fc.oneof(...mutations), async (generated, bend) => {
            const base = fuzz.finalize ? await fuzz.finalize(generated) : generated;
            const sent = bend.apply(base);
            const { response, verdict, what } = await exchange(route, sent);
            tally(route, 'invalid', response.status);
            const label = `${bend.kind}: ${what} (${verdict.why})`;
            if (verdict.only) expect(verdict.only, label).toContain(response.status);
            else if (verdict.sameRoute && bend.only) expect(bend.only, label).toContain(response.status);
            const mustReject =
              typeof bend.mustReject === 'function' ? bend.mustReject(sent) : bend.mustReject;
            if (verdict.sameRoute && (mustReject || bend.only)) {
              expect(response.status, label).toBeGreaterThanOrEqual(400);
            }
          }),
          params(INVALID_RUNS),
        );
      });
    });
  }

  it(`unknown paths and methods answer 404/405 problem+json (${ROUTING_RUNS} runs)`, async () => {
    const paths = [...new Set(routes.map((route) => route.path))];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.constantFrom(...methods),
        fc.oneof(
          fc.constant(''),
          fc.constantFrom('/', '/x', '//', '/..', '/%2F', '.json'),
          arb.weirdShortString.map((s) => `/${encodeSegment(s.slice(0, 50))}`),
        ),
        async (path, method, suffix) => {
          const url = path.replace(/\{\w+\}/g, fx.brandIds[0] ?? '') + suffix;
          const pathname = new URL(url, stack.url).pathname;
          const route = (routes as readonly RouteSpec[]).find(
            (candidate) =>
              candidate.method === method &&
              verdictOf(candidate, new URL(url, stack.url), {}, undefined).sameRoute,
          );
          if (route) return; // a real route: covered above
          const before = await fingerprint();
          const response = await sendRaw(stack.url, {
            method,
            path: url,
            headers: { authorization: `Bearer ${token.write}` },
          });
          stats.requests += 1;
          const what = `${method} ${url} → ${response.status} ${response.text.slice(0, 200)}`;
          expect([404, 405], what).toContain(response.status);
          if (method !== 'HEAD') expectProblemShape(response);
          if (response.status === 405) expect(response.headers.get('allow'), what).toBeTruthy();
          expect(await fingerprint(), what).toEqual(before);
          expect(pathname).toBeTruthy();
        },
      ),
      params(ROUTING_RUNS),
    );
  });

  it('a body over the 10 MB payload limit is refused with 413 and nothing is written', async () => {
    const huge = `modelId,soldAt,quantity,unitPrice\n${`${fx.modelIds[0]},2025-01-01,1,1\n`.repeat(260_000)}`;
    for (const [url, contentType] of [
      ['/sales/import', 'text/csv'],
      ['/sales/batch', 'application/json'],
    ] as const) {
      const before = await fingerprint();
      // On a connection of its own: the gateway answers before reading the whole body and drops the connection.
      const response = await postOnce(url, contentType, huge);
      stats.requests += 1;
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.text)).toMatchObject({
        status: 413,
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
        requestId: response.headers['x-request-id'],
      });
      expect(await fingerprint()).toEqual(before);
    }
  });

  describe('regressions: what fuzzing found', () => {
    const post = (url: string, body: string, contentType = 'application/json') =>
      sendRaw(stack.url, {
        method: 'POST',
        path: url,
        headers: { authorization: `Bearer ${token.write}`, 'content-type': contentType },
        body,
      });

    it('an externalId with a NUL character is a 400/422, not a 500, and writes nothing', async () => {
      const sale = {
        modelId: fx.modelIds[0],
        soldAt: '2025-01-01',
        quantity: 1,
        unitPrice: '1',
        externalId: 'a\u0000b',
      };
      const before = await fingerprint();
      const single = await post('/sales', JSON.stringify(sale));
      const batch = await post('/sales/batch', JSON.stringify({ sales: [sale] }));
      const csv = await post(
        '/sales/import',
        `modelId,soldAt,quantity,unitPrice,externalId\n${fx.modelIds[0]},2025-01-01,1,1,a\u0000b\n`,
        'text/csv',
      );
      expect([single.status, batch.status, csv.status]).toEqual([400, 422, 422]);
      for (const response of [single, batch, csv]) expectProblemShape(response);
      expect(await fingerprint()).toEqual(before);
    });

    it.each([
      ['+20:00', '2025-01-01T00:00:00+20:00', '2024-12-31T04:00:00.000Z'],
      ['-23:59', '2100-12-31T23:59:59-23:59', '2101-01-01T23:58:59.000Z'],
      ['+16:00', '1900-01-01T00:00:00.123456+16:00', '1899-12-31T08:00:00.123Z'],
    ])(
      'a soldAt with offset %s (valid RFC 3339, beyond PostgreSQL’s ±15:59) is recorded on its UTC day',
      async (_, soldAt, utc) => {
        const response = await post(
          '/sales',
          JSON.stringify({ modelId: fx.modelIds[0], soldAt, quantity: 1, unitPrice: '1' }),
        );
        expect(response.status, response.text).toBe(201);
        expect(response.body).toMatchObject({ soldAt: utc, saleDay: utc.slice(0, 10) });
      },
    );

    it.each([
      ['/brands?__proto__=1', 400],
      ['/brands?constructor=x', 400],
      ['/brands?toString=x&hasOwnProperty=y', 400],
      [`/brands/${'{brand}'}?__proto__=1`, 400],
    ])('GET %s answers %i, not 500 (query names that are Object.prototype members)', async (path, status) => {
      const url = path.replace('{brand}', fx.brandIds[0] ?? '');
      const response = await sendRaw(stack.url, {
        method: 'GET',
        path: url,
        headers: { authorization: `Bearer ${token.read}` },
      });
      expect(response.status, response.text).toBe(status);
    });

    it.each(['__proto__', 'constructor', 'toString'])(
      'a request header named %s is harmless',
      async (name) => {
        const response = await sendRaw(stack.url, {
          method: 'GET',
          path: '/brands',
          headers: { authorization: `Bearer ${token.read}`, [name]: 'x' },
        });
        expect(response.status, response.text).toBe(200);
      },
    );

    it('GET /sales with a year-0 date (a valid ISO date PostgreSQL cannot hold) is a 400, not a 500', async () => {
      for (const query of ['from=0000-01-01', 'to=0000-12-31']) {
        const response = await sendRaw(stack.url, {
          method: 'GET',
          path: `/sales?${query}`,
          headers: { authorization: `Bearer ${token.read}` },
        });
        expect(response.status, response.text).toBe(400);
        expectProblemShape(response);
      }
    });
  });

  it('after all that, the DynamoDB aggregates still equal the SQL sales exactly', async () => {
    expect(await stack.projector.drain()).toBe(0);
    await expectConverged(stack, { versions: true });
  });
});
