/**
 * The contract, checked from outside: valid and invalid requests to every operation of the running local stack,
 * each response validated against openapi.yaml (status, content type, headers, body) by ajv. Plain fetch, so
 * what is checked is exactly what the server sends. A new operation without cases here fails the coverage test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type Exchange, loadSpec } from './spec';

const spec = loadSpec();
const exchanges: (Exchange & { operationId: string })[] = [];
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const RANGE = 'from=2025-01-01&to=2025-12-31';

let stack: LocalStack;
const tokens: Record<'reader' | 'writer' | 'admin', string> = { reader: '', writer: '', admin: '' };

async function token(clientId: string): Promise<string> {
  const response = await fetch(`${stack.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`No token for ${clientId}`);
  return body.access_token;
}

interface Call {
  as?: keyof typeof tokens | 'nobody';
  body?: unknown;
  /** A raw body with its content type; `body` is sent as JSON. */
  raw?: { type: string; data: string | FormData };
  headers?: Record<string, string>;
}

/** Sends a request, validates the response against the spec, and returns it with its parsed body. */
async function send(method: string, url: string, call: Call = {}) {
  const as = call.as ?? 'admin';
  const headers: Record<string, string> = { ...call.headers };
  if (as !== 'nobody') headers.authorization = `Bearer ${tokens[as]}`;
  let body: string | FormData | undefined;
  if (call.raw) {
    body = call.raw.data;
    if (typeof call.raw.data === 'string') headers['content-type'] = call.raw.type;
  } else if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${stack.url}${url}`, { method, headers, body });
  const exchange = {
    method,
    url,
    status: response.status,
    headers: response.headers,
    text: await response.text(),
  };
  exchanges.push({ ...exchange, operationId: spec.operationOf(method, url).operationId });
  expect(spec.violations(exchange), `${method} ${url}`).toEqual([]);
  const json: unknown = exchange.text ? JSON.parse(exchange.text) : undefined;
  return { ...exchange, json: json as Record<string, unknown> };
}

async function expectStatus(status: number, method: string, url: string, call?: Call) {
  const response = await send(method, url, call);
  expect(response.status, `${method} ${url}: ${response.text.slice(0, 300)}`).toBe(status);
  return response;
}

const idOf = (response: { json: Record<string, unknown> }) => String(response.json.id);

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  tokens.reader = await token('demo-reader');
  tokens.writer = await token('demo-writer');
  tokens.admin = await token('demo-admin');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('Contract: every operation answers as openapi.yaml says', () => {
  let brandId = '';
  let otherBrandId = '';
  let modelId = '';
  let saleId = '';

  it('brands: create, list, read, change, delete, and their errors', async () => {
    const created = await expectStatus(201, 'POST', '/brands', {
      body: { name: 'Contract Motors', country: 'DE' },
    });
    brandId = idOf(created);
    otherBrandId = idOf(await expectStatus(201, 'POST', '/brands', { body: { name: 'Other Motors' } }));
    await expectStatus(409, 'POST', '/brands', { body: { name: 'contract motors' } });
    await expectStatus(400, 'POST', '/brands', { body: { name: '', extra: 1 } });
    await expectStatus(400, 'POST', '/brands', { raw: { type: 'application/json', data: '{"name":' } });
    await expectStatus(415, 'POST', '/brands', { raw: { type: 'text/plain', data: 'name=x' } });
    await expectStatus(401, 'POST', '/brands', { as: 'nobody', body: { name: 'Nobody' } });
    await expectStatus(403, 'POST', '/brands', { as: 'reader', body: { name: 'Reader' } });

    const list = await expectStatus(200, 'GET', '/brands?limit=1');
    await expectStatus(200, 'GET', `/brands?limit=1&cursor=${list.json.nextCursor}`);
    await expectStatus(304, 'GET', '/brands?limit=1', {
      headers: { 'if-none-match': String(list.headers.get('etag')) },
    });
    await expectStatus(400, 'GET', '/brands?limit=0&sort=name');
    await expectStatus(400, 'GET', '/brands?limit=1&limit=2');
    await expectStatus(400, 'GET', '/brands?cursor=forged');

    const read = await expectStatus(200, 'GET', `/brands/${brandId}`, { as: 'reader' });
    const etag = String(read.headers.get('etag'));
    await expectStatus(304, 'GET', `/brands/${brandId}`, { headers: { 'if-none-match': etag } });
    await expectStatus(404, 'GET', `/brands/${UNKNOWN_ID}`);
    await expectStatus(400, 'GET', '/brands/not-a-uuid');
    await expectStatus(400, 'GET', `/brands/${brandId}?verbose=1`);

    await expectStatus(412, 'PATCH', `/brands/${brandId}`, {
      body: { country: 'AT' },
      headers: { 'if-match': '"stale"' },
    });
    await expectStatus(200, 'PATCH', `/brands/${brandId}`, {
      body: { country: 'AT' },
      headers: { 'if-match': etag },
    });
    await expectStatus(409, 'PATCH', `/brands/${brandId}`, { body: { name: 'Other Motors' } });
    await expectStatus(404, 'PATCH', `/brands/${UNKNOWN_ID}`, { body: { country: 'AT' } });
    await expectStatus(400, 'PATCH', `/brands/${brandId}`, { body: { country: 'XX' } });
    await expectStatus(415, 'PATCH', `/brands/${brandId}`, {
      raw: { type: 'text/csv', data: 'country\nAT' },
    });
  });

  it('models: create, list, read, change, delete, and their errors', async () => {
    const created = await expectStatus(201, 'POST', '/models', { body: { brandId, name: 'Contract One' } });
    modelId = idOf(created);
    await expectStatus(409, 'POST', '/models', { body: { brandId, name: 'contract one' } });
    await expectStatus(422, 'POST', '/models', { body: { brandId: UNKNOWN_ID, name: 'Orphan' } });
    await expectStatus(400, 'POST', '/models', { body: { brandId: 'x', name: 'Bad', launchYear: 1 } });
    await expectStatus(415, 'POST', '/models', { raw: { type: 'text/plain', data: 'x' } });

    const list = await expectStatus(200, 'GET', `/models?brandId=${brandId}`);
    await expectStatus(304, 'GET', `/models?brandId=${brandId}`, {
      headers: { 'if-none-match': String(list.headers.get('etag')) },
    });
    await expectStatus(400, 'GET', '/models?brandId=nope&brandId=again');

    const read = await expectStatus(200, 'GET', `/models/${modelId}`);
    await expectStatus(304, 'GET', `/models/${modelId}`, {
      headers: { 'if-none-match': String(read.headers.get('etag')) },
    });
    await expectStatus(404, 'GET', `/models/${UNKNOWN_ID}`);
    await expectStatus(400, 'GET', `/models/${modelId}?x=1`);

    await expectStatus(200, 'PATCH', `/models/${modelId}`, {
      body: { bodyType: 'suv' },
      headers: { 'if-match': String(read.headers.get('etag')) },
    });
    await expectStatus(412, 'PATCH', `/models/${modelId}`, {
      body: { bodyType: 'van' },
      headers: { 'if-match': String(read.headers.get('etag')) },
    });
    await expectStatus(404, 'PATCH', `/models/${UNKNOWN_ID}`, { body: { bodyType: 'suv' } });
    await expectStatus(400, 'PATCH', `/models/${modelId}`, { body: { bodyType: 'tank' } });
    await expectStatus(409, 'DELETE', `/brands/${brandId}`);
  });

  it('sales: record, batch, import (CSV and form), list, read, delete, and their errors', async () => {
    const sale = {
      modelId,
      soldAt: '2025-03-01T10:15:00Z',
      quantity: 2,
      unitPrice: '24999.90',
      currency: 'EUR',
      country: 'DE',
      externalId: 'contract-1',
    };
    const created = await expectStatus(201, 'POST', '/sales', {
      as: 'writer',
      body: sale,
      headers: { 'idempotency-key': 'contract-key-1' },
    });
    saleId = idOf(created);
    await expectStatus(201, 'POST', '/sales', {
      as: 'writer',
      body: sale,
      headers: { 'idempotency-key': 'contract-key-1' },
    });
    await expectStatus(409, 'POST', '/sales', { as: 'writer', body: sale });
    await expectStatus(422, 'POST', '/sales', {
      body: { ...sale, modelId: UNKNOWN_ID, externalId: 'contract-2' },
    });
    await expectStatus(422, 'POST', '/sales', {
      body: { ...sale, unitPrice: '1.001', externalId: 'contract-3' },
    });
    await expectStatus(400, 'POST', '/sales', { body: { ...sale, quantity: 0, extra: true } });
    await expectStatus(415, 'POST', '/sales', { raw: { type: 'text/csv', data: 'modelId\nx' } });

    const batch = [
      { ...sale, externalId: 'contract-b1' },
      { ...sale, externalId: 'contract-b2', currency: 'USD', unitPrice: '100.00' },
    ];
    await expectStatus(201, 'POST', '/sales/batch', { body: { sales: batch } });
    await expectStatus(409, 'POST', '/sales/batch', { body: { sales: batch } });
    await expectStatus(422, 'POST', '/sales/batch', {
      body: {
        sales: [
          { ...sale, externalId: 'contract-b3' },
          { ...sale, quantity: -1 },
        ],
      },
    });
    await expectStatus(400, 'POST', '/sales/batch', { body: { sales: [] } });
    await expectStatus(415, 'POST', '/sales/batch', { raw: { type: 'text/plain', data: '[]' } });

    const csv = (first: number, rows: number) =>
      [
        'modelId,soldAt,quantity,unitPrice,currency,country,externalId',
        ...Array.from(
          { length: rows },
          (_, i) => `${modelId},2025-04-0${1 + i},1,19999.00,EUR,AT,contract-csv-${first + i}`,
        ),
        '',
      ].join('\n');
    await expectStatus(201, 'POST', '/sales/import', { raw: { type: 'text/csv', data: csv(0, 2) } });
    const form = new FormData();
    form.append('file', new Blob([csv(10, 2)], { type: 'text/csv' }), 'sales.csv');
    await expectStatus(201, 'POST', '/sales/import', { raw: { type: 'multipart/form-data', data: form } });
    const wrongPart = new FormData();
    wrongPart.append('upload', new Blob([csv(20, 1)], { type: 'text/csv' }), 'sales.csv');
    await expectStatus(400, 'POST', '/sales/import', {
      raw: { type: 'multipart/form-data', data: wrongPart },
    });
    await expectStatus(409, 'POST', '/sales/import', { raw: { type: 'text/csv', data: csv(0, 1) } });
    await expectStatus(422, 'POST', '/sales/import', {
      raw: { type: 'text/csv', data: `${csv(30, 1)}${modelId},not-a-date,1,1.00,EUR,DE,contract-csv-31\n` },
    });
    await expectStatus(415, 'POST', '/sales/import', { raw: { type: 'application/json', data: '{}' } });

    const list = await expectStatus(200, 'GET', `/sales?modelId=${modelId}&limit=2`);
    await expectStatus(304, 'GET', `/sales?modelId=${modelId}&limit=2`, {
      headers: { 'if-none-match': String(list.headers.get('etag')) },
    });
    await expectStatus(400, 'GET', '/sales?from=2025-03-02&to=2025-03-01');
    await expectStatus(400, 'GET', '/sales?limit=2&limit=3&unknown=1');

    const read = await expectStatus(200, 'GET', `/sales/${saleId}`);
    await expectStatus(304, 'GET', `/sales/${saleId}`, {
      headers: { 'if-none-match': String(read.headers.get('etag')) },
    });
    await expectStatus(404, 'GET', `/sales/${UNKNOWN_ID}`);
    await expectStatus(400, 'GET', '/sales/123');

    await expectStatus(403, 'DELETE', `/sales/${saleId}`, { as: 'reader' });
    await expectStatus(404, 'DELETE', `/sales/${UNKNOWN_ID}`);
    await expectStatus(409, 'DELETE', `/models/${modelId}`);
  });

  it('stats: per-model sales, revenue, daily revenue, top models, brand totals, and their errors', async () => {
    await stack.projector.drain();
    for (const path of [
      `/models/${modelId}/sales?${RANGE}&granularity=month`,
      `/stats/revenue?${RANGE}`,
      `/stats/revenue/daily?from=2025-03-01&to=2025-03-07`,
      `/stats/models/top?${RANGE}&by=units&limit=5`,
      `/stats/brands/${brandId}?${RANGE}`,
    ]) {
      const answer = await expectStatus(200, 'GET', path, { as: 'reader' });
      await expectStatus(304, 'GET', path, {
        headers: { 'if-none-match': String(answer.headers.get('etag')) },
      });
    }
    await expectStatus(404, 'GET', `/models/${UNKNOWN_ID}/sales?${RANGE}&granularity=day`);
    await expectStatus(400, 'GET', `/models/${modelId}/sales?${RANGE}&granularity=hour`);
    await expectStatus(400, 'GET', '/stats/revenue?from=2025-03-02&to=2025-03-01');
    await expectStatus(400, 'GET', `/stats/revenue/daily?${RANGE}&${RANGE}`);
    await expectStatus(400, 'GET', `/stats/models/top?${RANGE}&by=colour`);
    await expectStatus(404, 'GET', `/stats/brands/${UNKNOWN_ID}?${RANGE}`);
    await expectStatus(400, 'GET', `/stats/brands/not-a-uuid?${RANGE}`);
    await expectStatus(401, 'GET', `/stats/revenue?${RANGE}`, { as: 'nobody' });
  });

  it('sales events: queue, status, and their errors', async () => {
    const event = { modelId, soldAt: '2025-04-01T08:00:00Z', quantity: 1, unitPrice: '19999.00' };
    const accepted = await expectStatus(202, 'POST', '/sales/events', {
      as: 'writer',
      body: { events: [event, { ...event, externalId: 'contract-event-2' }] },
    });
    const [first] = accepted.json.items as { ingestionId: string }[];
    await expectStatus(200, 'GET', `/sales/events/${first?.ingestionId}`, { as: 'writer' });
    await expectStatus(404, 'GET', `/sales/events/${UNKNOWN_ID}.0`, { as: 'writer' });
    await expectStatus(400, 'GET', '/sales/events/not-an-id', { as: 'writer' });
    await expectStatus(422, 'POST', '/sales/events', {
      as: 'writer',
      body: { events: [{ ...event, unitPrice: '1.001' }] },
    });
    await expectStatus(400, 'POST', '/sales/events', { as: 'writer', body: { events: [] } });
    await expectStatus(403, 'POST', '/sales/events', { as: 'reader', body: { events: [event] } });
  });

  it('partners: onboard, list, read, change, delete, and their errors', async () => {
    const created = await expectStatus(201, 'POST', '/partners', {
      body: { name: 'Contract Dealers', tier: 'sandbox', role: 'reader' },
    });
    const clientId = String(created.json.clientId);
    await expectStatus(400, 'POST', '/partners', { body: { name: '', tier: 'gold' } });
    await expectStatus(403, 'POST', '/partners', { as: 'writer', body: { name: 'X', tier: 'sandbox' } });
    await expectStatus(200, 'GET', '/partners');
    await expectStatus(400, 'GET', '/partners?unknown=1');
    await expectStatus(200, 'GET', `/partners/${clientId}`);
    await expectStatus(404, 'GET', '/partners/nosuchclient');
    await expectStatus(200, 'PATCH', `/partners/${clientId}`, { body: { tier: 'standard' } });
    await expectStatus(400, 'PATCH', `/partners/${clientId}`, { body: {} });
    await expectStatus(204, 'DELETE', `/partners/${clientId}`);
    await expectStatus(404, 'DELETE', `/partners/${clientId}`);
  });

  it('deletes: sale, model, brand, and what is gone stays gone', async () => {
    await expectStatus(204, 'DELETE', `/sales/${saleId}`, { as: 'admin' });
    const { rows } = await stack.sql.query<{ id: string }>(
      'SELECT id FROM sales WHERE model_id = :modelId::uuid',
      { modelId },
    );
    for (const row of rows) await expectStatus(204, 'DELETE', `/sales/${row.id}`);
    await expectStatus(204, 'DELETE', `/models/${modelId}`);
    await expectStatus(404, 'DELETE', `/models/${modelId}`);
    await expectStatus(204, 'DELETE', `/brands/${brandId}`);
    await expectStatus(204, 'DELETE', `/brands/${otherBrandId}`);
    await expectStatus(404, 'DELETE', `/brands/${brandId}`);
  });

  it('exercised every operation of openapi.yaml with a success and an error', () => {
    for (const op of spec.operations) {
      const statuses = exchanges
        .filter((exchange) => exchange.operationId === op.operationId)
        .map((e) => e.status);
      expect(
        statuses.some((status) => status < 300),
        `${op.operationId} success`,
      ).toBe(true);
      expect(
        statuses.some((status) => status >= 400),
        `${op.operationId} error`,
      ).toBe(true);
    }
  });
});
