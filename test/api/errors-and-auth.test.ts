import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Brand } from '../../lambdas/brand/schemas';
import type { Model } from '../../lambdas/model/schemas';
import type { Page } from '../../lambdas/shared/pagination';
import { type LocalStack, startLocalStack } from '../../local/stack';
import {
  type ApiClient,
  api,
  expectProblem,
  problemPaths,
  requestToken,
  send,
  tokenFor,
} from '../support/http';

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let reader: ApiClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  admin = api(stack, await tokenFor(stack, 'demo-admin'));
  writer = api(stack, await tokenFor(stack, 'demo-writer'));
  reader = api(stack, await tokenFor(stack, 'demo-reader'));
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  await stack.sql.query('TRUNCATE brands CASCADE');
});

async function createBrand(name: string): Promise<Brand> {
  const response = await admin.post<Brand>('/brands', { name });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

async function brandNames(): Promise<string[]> {
  const { rows } = await stack.sql.query<{ name: string }>('SELECT name FROM brands ORDER BY name');
  return rows.map((row) => row.name);
}

describe('routing', () => {
  it('answers 404 problem+json for an unknown route', async () => {
    const problem = expectProblem(await admin.get('/nope'), 404);

    expect(problem.type).toMatch(/not-found$/);
  });

  it('answers 405 with an Allow header for an unknown method on /brands', async () => {
    const response = await admin.request('PUT', '/brands', { json: { name: 'BMW' } });

    expect(expectProblem(response, 405).type).toMatch(/method-not-allowed$/);
    const allowed = (response.headers.get('allow') ?? '').split(',').map((method) => method.trim());
    expect(allowed.sort()).toEqual(['GET', 'POST']);
    expect(await brandNames()).toEqual([]);
  });

  it('answers 405 with an Allow header for an unknown method on /brands/{brandId}', async () => {
    const brand = await createBrand('BMW');

    const response = await admin.request('PUT', `/brands/${brand.id}`, { json: { name: 'Mini' } });

    expectProblem(response, 405);
    const allowed = (response.headers.get('allow') ?? '').split(',').map((method) => method.trim());
    expect(allowed.sort()).toEqual(['DELETE', 'GET', 'PATCH']);
  });
});

describe('malformed requests', () => {
  it.each([
    ['GET', undefined],
    ['PATCH', { name: 'X' }],
    ['DELETE', undefined],
  ] as const)('%s /brands/abc answers 400 naming path.brandId', async (method, json) => {
    const response = await admin.request(method, '/brands/abc', { json });

    const problem = expectProblem(response, 400);
    expect(problem.type).toMatch(/validation-error$/);
    expect(problemPaths(problem)).toEqual(['path.brandId']);
  });

  it('refuses a body that is not JSON with 400 naming body', async () => {
    const response = await admin.request('POST', '/brands', {
      body: '{"name": "BMW",',
      headers: { 'content-type': 'application/json' },
    });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a request without a body with 400', async () => {
    const response = await admin.request('POST', '/brands', {
      headers: { 'content-type': 'application/json' },
    });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body']);
  });

  it('lists every field of the wrong type', async () => {
    const response = await admin.post('/brands', { name: 42, country: ['DE'] });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.country', 'body.name']);
    expect(await brandNames()).toEqual([]);
  });

  it('says a field of the wrong type has the wrong type, not that it is missing', async () => {
    const response = await admin.post('/brands', { name: 42 });

    expect(expectProblem(response, 400).errors).toEqual([
      { path: 'body.name', message: expect.stringMatching(/expected string/) },
    ]);
  });

  it('says a JSON body that is not an object has the wrong type, not that it is missing', async () => {
    const response = await admin.request('POST', '/brands', {
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });

    expect(expectProblem(response, 400).errors).toEqual([
      { path: 'body', message: expect.stringMatching(/expected object/) },
    ]);
  });

  it('refuses a name with a NUL character with 400 naming body.name (PostgreSQL text cannot hold it)', async () => {
    const response = await admin.post('/brands', { name: 'BM\u0000W' });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.name']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a missing name with 400 naming body.name', async () => {
    const problem = expectProblem(await admin.post('/brands', { country: 'DE' }), 400);

    expect(problem.errors).toEqual([{ path: 'body.name', message: 'is required' }]);
  });

  it.each([
    ['empty', ''],
    ['blank (empty once trimmed)', '   '],
    ['101 characters', 'x'.repeat(101)],
  ])('refuses a name that is %s with 400 naming body.name', async (_, name) => {
    const response = await admin.post('/brands', { name });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.name']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses unknown fields with 400 naming each of them', async () => {
    const response = await admin.post('/brands', { name: 'BMW', founded: 1916, id: 'mine' });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.founded', 'body.id']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a body that is not application/json with 415', async () => {
    const response = await admin.request('POST', '/brands', {
      body: JSON.stringify({ name: 'BMW' }),
      headers: { 'content-type': 'text/plain' },
    });

    expect(expectProblem(response, 415).type).toMatch(/unsupported-media-type$/);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a PATCH body that is not application/json with 415 and changes nothing', async () => {
    const brand = await createBrand('BMW');

    const response = await admin.request('PATCH', `/brands/${brand.id}`, {
      body: 'name=Mini',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectProblem(response, 415);
    expect(await brandNames()).toEqual(['BMW']);
  });
});

describe('list query validation', () => {
  it.each(['0', '101', 'abc', '2.5'])('refuses limit=%s with 400 naming query.limit', async (limit) => {
    const response = await admin.get(`/brands?limit=${limit}`);

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.limit']);
  });

  it.each(['1', '100'])('accepts limit=%s', async (limit) => {
    await createBrand('BMW');

    const response = await admin.get<Page<Brand>>(`/brands?limit=${limit}`);

    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(1);
  });

  it('refuses a tampered cursor with 400 naming query.cursor', async () => {
    for (const name of ['Audi', 'BMW', 'Citroen']) await createBrand(name);
    const { body } = await admin.get<Page<Brand>>('/brands?limit=1');
    const cursor = body.nextCursor ?? '';
    const flipped = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const tampered = [
      flipped(cursor, 0),
      flipped(cursor, cursor.indexOf('.') - 1),
      flipped(cursor, cursor.length - 1),
    ];

    const responses = await Promise.all(
      tampered.map((bad) => admin.get(`/brands?limit=1&cursor=${encodeURIComponent(bad)}`)),
    );

    expect(cursor).toContain('.');
    for (const response of responses)
      expect(problemPaths(expectProblem(response, 400))).toEqual(['query.cursor']);
  });

  it('refuses a forged cursor that is well-formed but unsigned with 400', async () => {
    const payload = Buffer.from(JSON.stringify({ k: ['a'], s: 'brands' })).toString('base64url');

    const response = await admin.get(`/brands?cursor=${payload}.${'A'.repeat(43)}`);

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.cursor']);
  });

  it('refuses a cursor of /brands on /models with 400', async () => {
    for (const name of ['Audi', 'BMW']) await createBrand(name);
    const { body } = await admin.get<Page<Brand>>('/brands?limit=1');

    const response = await admin.get(`/models?cursor=${encodeURIComponent(body.nextCursor ?? '')}`);

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.cursor']);
  });

  it('refuses an unknown query parameter with 400', async () => {
    const response = await admin.get('/brands?sort=name');

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.sort']);
  });
});

describe('access tokens', () => {
  it('refuses a request without a token with 401 problem+json and WWW-Authenticate', async () => {
    const response = await api(stack).get('/brands');

    expect(expectProblem(response, 401).type).toMatch(/unauthorized$/);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a garbage token with 401', async () => {
    const response = await api(stack, 'not.a.jwt').get('/brands');

    expectProblem(response, 401);
  });

  it('refuses a token whose signature was tampered with with 401', async () => {
    const token = await tokenFor(stack, 'demo-admin');
    const [header, payload, signature = ''] = token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

    expectProblem(await api(stack, forged).get('/brands'), 401);
  });

  it('checks the token before anything else: an unauthenticated malformed request is a 401', async () => {
    expectProblem(await api(stack).post('/brands', { name: '' }), 401);
  });

  it('lets demo-reader read', async () => {
    const brand = await createBrand('Jaguar');

    const list = await reader.get<Page<Brand>>('/brands');
    const one = await reader.get<Brand>(`/brands/${brand.id}`);
    const models = await reader.get<Page<Model>>(`/models?brandId=${brand.id}`);

    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([brand]);
    expect(one.status).toBe(200);
    expect(models.status).toBe(200);
  });

  it('refuses writes by demo-reader with 403 problem+json and changes nothing', async () => {
    const brand = await createBrand('Jaguar');

    const post = await reader.post('/brands', { name: 'Land Rover' });
    const patch = await reader.patch(`/brands/${brand.id}`, { name: 'Jag' });
    const remove = await reader.delete(`/brands/${brand.id}`);

    expect(expectProblem(post, 403).type).toMatch(/forbidden$/);
    expectProblem(patch, 403);
    expectProblem(remove, 403);
    expect(await brandNames()).toEqual(['Jaguar']);
  });

  it('lets demo-writer create', async () => {
    const response = await writer.post<Brand>('/brands', { name: 'Land Rover' });

    expect(response.status).toBe(201);
    expect(await brandNames()).toEqual(['Land Rover']);
  });

  it('refuses writes with a demo-writer token that asked only for sales-api/read (403)', async () => {
    const readOnly = api(stack, await tokenFor(stack, 'demo-writer', 'sales-api/read'));

    const read = await readOnly.get('/brands');
    const write = await readOnly.post('/brands', { name: 'Land Rover' });

    expect(read.status).toBe(200);
    expectProblem(write, 403);
    expect(await brandNames()).toEqual([]);
  });

  it('lets demo-admin do everything', async () => {
    const brand = await admin.post<Brand>('/brands', { name: 'Lotus', country: 'GB' });
    const model = await admin.post<Model>('/models', { brandId: brand.body.id, name: 'Elise' });
    const patchedBrand = await admin.patch(`/brands/${brand.body.id}`, { name: 'Lotus Cars' });
    const patchedModel = await admin.patch(`/models/${model.body.id}`, { launchYear: 1996 });
    const listed = await admin.get<Page<Model>>(`/models?brandId=${brand.body.id}`);
    const deletedModel = await admin.delete(`/models/${model.body.id}`);
    const deletedBrand = await admin.delete(`/brands/${brand.body.id}`);

    expect([brand.status, model.status, patchedBrand.status, patchedModel.status, listed.status]).toEqual([
      201, 201, 200, 200, 200,
    ]);
    expect(listed.body.items.map((item) => item.launchYear)).toEqual([1996]);
    expect([deletedModel.status, deletedBrand.status]).toEqual([204, 204]);
  });
});

describe('POST /oauth2/token', () => {
  it('issues a bearer token with the requested scope', async () => {
    const response = await requestToken(stack, { clientId: 'demo-writer', scope: 'sales-api/read' });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
    });
    const claims = JSON.parse(
      Buffer.from(String(response.body.access_token).split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(claims).toMatchObject({ client_id: 'demo-writer', scope: 'sales-api/read', token_use: 'access' });
  });

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const response = await requestToken(stack, { clientId: 'demo-admin', secret: 'demo-reader-secret' });

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client' });
    expect(response.body).not.toHaveProperty('access_token');
  });

  it('refuses an unknown client with 401 invalid_client', async () => {
    const response = await requestToken(stack, { clientId: 'mallory' });

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a grant other than client_credentials with 400 unsupported_grant_type', async () => {
    const response = await requestToken(stack, { clientId: 'demo-admin', grantType: 'password' });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('refuses a scope the client may not have with 400 invalid_scope', async () => {
    const response = await requestToken(stack, { clientId: 'demo-reader', scope: 'sales-api/write' });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_scope' });
  });

  it('answers only POST: a GET of the token endpoint is not a token', async () => {
    const response = await send(stack, 'GET', '/oauth2/token');

    expect(response.status).toBe(404);
  });
});
