/**
 * The authorization matrix: every route of the route table × every way a bearer token can be missing, broken,
 * forged or insufficient. Each must be a 401 (not a valid access token of a known client) or a 403 (valid, lacks
 * the scope), answered as a bare problem+json that carries no data, and must write nothing. Then: read-only
 * clients can never write, and a client cannot delete another client's sale while an admin can.
 */

import { describe, expect, it } from 'vitest';
import {
  type ApiClient,
  createApiClient,
  fetchToken,
  type RawRequest,
  type Schemas,
  sendRaw,
} from '../client';
import { routes } from '../lambdas/routes';
import type { RouteSpec } from '../lambdas/shared/route';
import { loadClients } from '../local/auth';
import type { LocalStack } from '../local/stack';
import { expectData, rawOf } from '../test/support/api';
import { stackTest } from '../test/support/fixtures';
import { expectProblemShape } from './support/http';
import { expectConverged, fingerprint, WriteLog } from './support/state';
import { type BadToken, badTokens } from './support/tokens';

const PARTNER = 'demo-partner';

const writes = new WriteLog();
const test = stackTest({
  projectorIntervalMs: 0,
  wrapSql: writes.wrap,
  clients: [
    ...loadClients(),
    { clientId: PARTNER, clientSecret: `${PARTNER}-secret`, scopes: ['sales-api/read', 'sales-api/write'] },
  ],
});

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let partner: ApiClient;
let reader: ApiClient;
const tokens: Record<string, string> = {};

/** What the requests of the matrix refer to: things that exist, so only the token stands between them and success. */
interface Fixtures {
  brand: Schemas['Brand'];
  emptyBrand: Schemas['Brand'];
  model: Schemas['Model'];
  emptyModel: Schemas['Model'];
  sale: Schemas['Sale'];
  /** A queued sales event of demo-writer, and an onboarded partner. */
  ingestionId: string;
  partnerClientId: string;
}
let fx: Fixtures;
/** Strings that must never appear in a refusal (ids and names of stored data). */
let secrets: string[];

test.beforeAll(async ({ stack: started }) => {
  stack = started;
  tokens.admin = await tokenOf('demo-admin');
  tokens.writer = await tokenOf('demo-writer');
  tokens.reader = await tokenOf('demo-reader');
  // Real tokens of known clients, each missing the one scope a class of routes needs.
  tokens.writeOnly = await tokenOf('demo-writer', 'sales-api/write');
  tokens.readOnly = await tokenOf('demo-writer', 'sales-api/read');
  tokens.partner = await tokenOf(PARTNER);
  admin = createApiClient(stack.url, tokens.admin);
  writer = createApiClient(stack.url, tokens.writer);
  reader = createApiClient(stack.url, tokens.reader);
  partner = createApiClient(stack.url, tokens.partner);

  const brand = expectData(
    await admin.POST('/brands', { body: { name: 'Secretive Motors', country: 'SE' } }),
    201,
  );
  const emptyBrand = expectData(await admin.POST('/brands', { body: { name: 'Empty Brand' } }), 201);
  const modelOf = async (name: string) =>
    expectData(await admin.POST('/models', { body: { brandId: brand.id, name } }), 201);
  const model = await modelOf('Hidden Model');
  const emptyModel = await modelOf('Unsold Model');
  const sale = expectData(
    await writer.POST('/sales', {
      body: {
        modelId: model.id,
        soldAt: '2025-03-01T10:00:00Z',
        quantity: 3,
        unitPrice: '31337.42',
        externalId: 'secret-external-id',
      },
    }),
    201,
  );
  const [event] = expectData(
    await writer.POST('/sales/events', {
      body: { events: [{ modelId: model.id, soldAt: '2025-03-03', quantity: 1, unitPrice: '100' }] },
    }),
    202,
  ).items;
  const onboarded = expectData(
    await admin.POST('/partners', { body: { name: 'Matrix Partner', tier: 'sandbox', role: 'reader' } }),
    201,
  );
  fx = {
    brand,
    emptyBrand,
    model,
    emptyModel,
    sale,
    ingestionId: event?.ingestionId ?? '',
    partnerClientId: onboarded.clientId,
  };
  secrets = [brand.id, brand.name, model.id, model.name, sale.id, '31337', 'secret-external-id'];
});

/** A raw access token of a client of the stack (secret `<id>-secret`), with all its scopes or only `scope`. */
async function tokenOf(clientId: string, scope?: string): Promise<string> {
  return (await fetchToken(stack.url, { clientId, clientSecret: `${clientId}-secret`, scope })).access_token;
}

/** A request to `route` that would succeed with a proper token: valid ids, valid body. */
function validRequest(route: RouteSpec): RawRequest {
  const ids: Record<string, string> = {
    brandId: route.method === 'DELETE' ? fx.emptyBrand.id : fx.brand.id,
    modelId: route.method === 'DELETE' ? fx.emptyModel.id : fx.model.id,
    saleId: fx.sale.id,
    ingestionId: fx.ingestionId,
    clientId: fx.partnerClientId,
  };
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? '');
  const range = 'from=2025-03-01&to=2025-03-31';
  const query: Record<string, string> = {
    listModels: `brandId=${fx.brand.id}`,
    listSales: `modelId=${fx.model.id}`,
    getModelSales: range,
    getRevenue: range,
    getDailyRevenue: range,
    getTopModels: range,
    getBrandStats: range,
  };
  const sale = { modelId: fx.model.id, soldAt: '2025-03-02', quantity: 1, unitPrice: '100' };
  const bodies: Record<string, string> = {
    createBrand: JSON.stringify({ name: 'Intruder Motors' }),
    updateBrand: JSON.stringify({ name: 'Renamed by an intruder' }),
    createModel: JSON.stringify({ brandId: fx.brand.id, name: 'Intruder Model' }),
    updateModel: JSON.stringify({ name: 'Renamed by an intruder' }),
    createSale: JSON.stringify(sale),
    createSalesBatch: JSON.stringify({ sales: [sale, sale] }),
    importSales: `modelId,soldAt,quantity,unitPrice\n${sale.modelId},${sale.soldAt},1,100\n`,
    createSaleEvents: JSON.stringify({ events: [sale] }),
    createPartner: JSON.stringify({ name: 'Intruder Partner', tier: 'premium', role: 'writer' }),
    updatePartner: JSON.stringify({ tier: 'premium' }),
  };
  const body = bodies[route.operationId];
  if (route.body && body === undefined) throw new Error(`no valid body for ${route.operationId}`);
  const search = query[route.operationId];
  return {
    method: route.method,
    path: search ? `${path}?${search}` : path,
    headers: body === undefined ? {} : { 'content-type': route.bodyType ?? 'application/json' },
    body,
  };
}

/** Sends with `authorization` (none when undefined) and asserts a bare refusal that leaks nothing and writes nothing. */
async function expectRefused(
  route: RouteSpec,
  authorization: string | undefined,
  status: 401 | 403,
  label: string,
) {
  const request = validRequest(route);
  const before = await fingerprint(stack, writes);
  const response = await sendRaw(stack.url, {
    ...request,
    headers: { ...request.headers, ...(authorization === undefined ? {} : { authorization }) },
  });
  const what = `${route.operationId} with ${label}: ${response.status} ${response.text}`;
  expect(response.status, what).toBe(status);
  const problem = expectProblemShape(response, { bare: true });
  expect(problem.type, what).toMatch(status === 401 ? /unauthorized$/ : /forbidden$/);
  if (status === 401) expect(response.headers.get('www-authenticate'), what).toMatch(/^Bearer/);
  for (const secret of secrets) expect(response.text, `${what} leaks ${secret}`).not.toContain(secret);
  expect(response.headers.get('etag'), what).toBeNull();
  expect(response.headers.get('location'), what).toBeNull();
  expect(await fingerprint(stack, writes), `${what} wrote something`).toEqual(before);
}

const badTokenCache = new Map<'read' | 'write', Promise<BadToken[]>>();
/**
 * The bad tokens for routes needing `scope` (made once per scope: forging takes RSA key generation). Admin routes
 * take the write cases: whatever a write route refuses, an admin route refuses too.
 */
function badTokensFor(access: RouteSpec['access']): Promise<BadToken[]> {
  const scope = access === 'read' ? 'read' : 'write';
  const lacking = scope === 'read' ? tokens.writeOnly : tokens.readOnly;
  let cases = badTokenCache.get(scope);
  if (!cases) {
    cases = badTokens(stack, scope, tokens.writer ?? '', lacking ?? '');
    badTokenCache.set(scope, cases);
  }
  return cases;
}

describe('every route × every bad token', () => {
  it('covers every route of the route table', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes as readonly RouteSpec[])
      expect(['read', 'write', 'admin']).toContain(route.access);
  });

  for (const route of routes as readonly RouteSpec[]) {
    it(`${route.method} ${route.path} (${route.operationId}, needs ${route.access}) refuses every bad token`, async () => {
      const cases = await badTokensFor(route.access);
      expect(cases.length).toBeGreaterThan(25);
      for (const bad of cases) await expectRefused(route, bad.authorization, bad.status, bad.name);
    });
  }

  it('the same requests succeed with a proper token (so the refusals above were the token’s doing)', async () => {
    // Reads first, then writes, deletes last: each request is the matrix's own.
    const order = (route: RouteSpec) => (route.method === 'GET' ? 0 : route.method === 'DELETE' ? 2 : 1);
    for (const route of [...(routes as readonly RouteSpec[])].sort((a, b) => order(a) - order(b))) {
      const request = validRequest(route);
      // A sale's deletion and an event's status belong to the client that submitted them (demo-writer).
      const token =
        route.access === 'admin'
          ? tokens.admin
          : route.operationId === 'deleteSale' || route.operationId === 'getSaleEvent'
            ? tokens.writer
            : route.access === 'read'
              ? tokens.reader
              : tokens.writer;
      const response = await sendRaw(stack.url, {
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${token}` },
      });
      expect(response.status, `${route.operationId}: ${response.text}`).toBeGreaterThanOrEqual(200);
      expect(response.status, `${route.operationId}: ${response.text}`).toBeLessThan(300);
    }
    await expectConverged(stack, { versions: true });
  });
});

describe('read-only clients never write', () => {
  const writeRoutes = (routes as readonly RouteSpec[]).filter(
    (route) => route.access !== 'read' && route.method !== 'GET',
  );

  it('has write routes', () => {
    expect(writeRoutes.map((route) => route.operationId).sort()).toEqual(
      [
        'createBrand',
        'createModel',
        'createSale',
        'createSalesBatch',
        'createSaleEvents',
        'createPartner',
        'deleteBrand',
        'deletePartner',
        'deleteModel',
        'deleteSale',
        'importSales',
        'updateBrand',
        'updateModel',
        'updatePartner',
      ].sort(),
    );
  });

  it.each(writeRoutes.map((route) => [route.operationId, route] as const))(
    'demo-reader gets 403 on %s, whatever the body, and nothing is written',
    async (_, route) => {
      const variants: [string, { body?: string; headers?: Record<string, string> }][] = [
        ['a valid request', {}],
        ['a malformed body', { body: '{"not json', headers: { 'content-type': 'application/json' } }],
        ['a wrong content type', { headers: { 'content-type': 'text/plain' } }],
        ['an Idempotency-Key', { headers: { 'idempotency-key': 'reader-key' } }],
      ];
      for (const [label, override] of variants) {
        const request = { ...validRequest(route), ...override };
        const before = await fingerprint(stack, writes);
        const response = await sendRaw(stack.url, {
          ...request,
          headers: {
            ...validRequest(route).headers,
            ...request.headers,
            authorization: `Bearer ${tokens.reader}`,
          },
        });
        expect(response.status, `${route.operationId} with ${label}: ${response.text}`).toBe(403);
        expectProblemShape(response, { bare: true });
        expect(await fingerprint(stack, writes)).toEqual(before);
      }
    },
  );

  it('demo-reader cannot get a write or admin scope from the token endpoint', async () => {
    for (const scope of ['sales-api/write', 'sales-api/admin', 'sales-api/read sales-api/write']) {
      const response = await sendRaw(stack.url, {
        method: 'POST',
        path: '/oauth2/token',
        headers: {
          authorization: `Basic ${Buffer.from('demo-reader:demo-reader-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      expect(response.status, response.text).toBe(400);
      expect(response.body).toMatchObject({ error: 'invalid_scope' });
      expect(response.text).not.toContain('access_token');
    }
  });
});

describe('deleting sales: only the submitting client, or an admin', () => {
  const saleBody = (externalId: string) => ({
    modelId: fx.model.id,
    soldAt: '2025-04-01T08:00:00Z',
    quantity: 2,
    unitPrice: '999.99',
    externalId,
  });
  const exists = async (id: string) =>
    (await stack.sql.query('SELECT 1 FROM sales WHERE id = :id::uuid', { id })).rows.length === 1;

  const create = async (client: ApiClient, externalId: string) =>
    expectData(await client.POST('/sales', { body: saleBody(externalId) }), 201);
  const remove = (client: ApiClient, saleId: string) =>
    client.DELETE('/sales/{saleId}', { params: { path: { saleId } } });
  const statusOf = async (response: Promise<{ response: Response }>) => (await response).response.status;

  it("a client cannot delete another client's sale (403, nothing written); the owner and an admin can", async () => {
    const writersSale = await create(writer, 'w-1');
    const partnersSale = await create(partner, 'p-1');
    expect(partnersSale.submittedBy).toBe(PARTNER);

    for (const [client, sale] of [
      [partner, writersSale],
      [writer, partnersSale],
    ] as const) {
      const before = await fingerprint(stack, writes);
      const response = rawOf(await remove(client, sale.id));
      const problem = expectProblemShape(response, { bare: true });
      expect(response.status, response.text).toBe(403);
      expect(problem.type).toMatch(/forbidden$/);
      expect(response.text).not.toContain('999.99');
      expect(await fingerprint(stack, writes)).toEqual(before);
      expect(await exists(sale.id)).toBe(true);
    }
    expect(await statusOf(remove(reader, writersSale.id))).toBe(403);

    expect(await statusOf(remove(writer, writersSale.id))).toBe(204);
    expect(await exists(writersSale.id)).toBe(false);
    expect(await statusOf(remove(admin, partnersSale.id))).toBe(204);
    expect(await exists(partnersSale.id)).toBe(false);
    // And the deletions reached the aggregates.
    await expectConverged(stack, { versions: true });
  });

  it('an admin can delete any client’s sale, a second delete is a 404', async () => {
    const sale = await create(partner, 'p-2');
    expect(await statusOf(remove(admin, sale.id))).toBe(204);
    expectProblemShape(await remove(admin, sale.id));
    expect(await statusOf(remove(partner, sale.id))).toBe(404);
  });

  it("the same Idempotency-Key from two clients makes two sales: a client never gets another's response", async () => {
    const key = 'shared-key-1';
    const post = async (client: ApiClient) =>
      expectData(
        await client.POST('/sales', { body: saleBody('same-ext'), headers: { 'idempotency-key': key } }),
        201,
      );
    const first = await post(writer);
    const second = await post(partner);
    expect(second.id).not.toBe(first.id);
    expect([first.submittedBy, second.submittedBy]).toEqual(['demo-writer', PARTNER]);
  });
});
