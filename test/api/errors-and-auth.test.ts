import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  type Credentials,
  createApiClient,
  fetchToken,
  requestToken,
  type Schemas,
  sendRaw,
} from '../../client';
import type { LocalStack } from '../../local/stack';
import { expectData, expectProblem, expectStatus, problemPaths } from '../support/api';
import { clientOf, raw, stackTest } from '../support/fixtures';

type Brand = Schemas['Brand'];

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let reader: ApiClient;
let anonymous: ApiClient;

const test = stackTest();

test.beforeAll(async ({ stack: started, admin: all, writer: write, reader: read, anonymous: none }) => {
  stack = started;
  admin = all;
  writer = write;
  reader = read;
  anonymous = none;
});

beforeEach(async () => {
  await stack.sql.query('TRUNCATE brands CASCADE');
});

async function createBrand(name: string): Promise<Brand> {
  return expectData(await admin.POST('/brands', { body: { name } }), 201);
}

const brandPath = (brandId: string) => ({ params: { path: { brandId } } });

async function brandNames(): Promise<string[]> {
  const { rows } = await stack.sql.query<{ name: string }>('SELECT name FROM brands ORDER BY name');
  return rows.map((row) => row.name);
}

describe('routing', () => {
  it('answers 404 problem+json for an unknown route', async () => {
    const problem = expectProblem(await raw(admin).get('/nope'), 404);

    expect(problem.type).toMatch(/not-found$/);
  });

  it('answers 405 with an Allow header for an unknown method on /brands', async () => {
    const response = await raw(admin).request('PUT', '/brands', { json: { name: 'BMW' } });

    expect(expectProblem(response, 405).type).toMatch(/method-not-allowed$/);
    const allowed = (response.headers.get('allow') ?? '').split(',').map((method) => method.trim());
    expect(allowed.sort()).toEqual(['GET', 'POST']);
    expect(await brandNames()).toEqual([]);
  });

  it('answers 405 with an Allow header for an unknown method on /brands/{brandId}', async () => {
    const brand = await createBrand('BMW');

    const response = await raw(admin).request('PUT', `/brands/${brand.id}`, { json: { name: 'Mini' } });

    expectProblem(response, 405);
    const allowed = (response.headers.get('allow') ?? '').split(',').map((method) => method.trim());
    expect(allowed.sort()).toEqual(['DELETE', 'GET', 'PATCH']);
  });
});

describe('malformed requests', () => {
  it.each([
    ['GET', () => admin.GET('/brands/{brandId}', brandPath('abc'))],
    ['PATCH', () => admin.PATCH('/brands/{brandId}', { ...brandPath('abc'), body: { name: 'X' } })],
    ['DELETE', () => admin.DELETE('/brands/{brandId}', brandPath('abc'))],
  ] as const)('%s /brands/abc answers 400 naming path.brandId', async (_, send) => {
    const response = await send();

    const problem = expectProblem(response, 400);
    expect(problem.type).toMatch(/validation-error$/);
    expect(problemPaths(problem)).toEqual(['path.brandId']);
  });

  it('refuses a body that is not JSON with 400 naming body', async () => {
    const response = await raw(admin).request('POST', '/brands', {
      body: '{"name": "BMW",',
      headers: { 'content-type': 'application/json' },
    });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a request without a body with 400', async () => {
    const response = await raw(admin).request('POST', '/brands', {
      headers: { 'content-type': 'application/json' },
    });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body']);
  });

  it('lists every field of the wrong type', async () => {
    const response = await raw(admin).post('/brands', { name: 42, country: ['DE'] });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.country', 'body.name']);
    expect(await brandNames()).toEqual([]);
  });

  it('says a field of the wrong type has the wrong type, not that it is missing', async () => {
    const response = await raw(admin).post('/brands', { name: 42 });

    expect(expectProblem(response, 400).errors).toEqual([
      { path: 'body.name', message: expect.stringMatching(/expected string/) },
    ]);
  });

  it('says a JSON body that is not an object has the wrong type, not that it is missing', async () => {
    const response = await raw(admin).request('POST', '/brands', {
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });

    expect(expectProblem(response, 400).errors).toEqual([
      { path: 'body', message: expect.stringMatching(/expected object/) },
    ]);
  });

  it('refuses a name with a NUL character with 400 naming body.name (PostgreSQL text cannot hold it)', async () => {
    const response = await admin.POST('/brands', { body: { name: 'BM\u0000W' } });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.name']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a missing name with 400 naming body.name', async () => {
    const problem = expectProblem(await raw(admin).post('/brands', { country: 'DE' }), 400);

    expect(problem.errors).toEqual([{ path: 'body.name', message: 'is required' }]);
  });

  it.each([
    ['empty', ''],
    ['blank (empty once trimmed)', '   '],
    ['101 characters', 'x'.repeat(101)],
  ])('refuses a name that is %s with 400 naming body.name', async (_, name) => {
    const response = await admin.POST('/brands', { body: { name } });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.name']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses unknown fields with 400 naming each of them', async () => {
    const response = await raw(admin).post('/brands', { name: 'BMW', founded: 1916, id: 'mine' });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.founded', 'body.id']);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a body that is not application/json with 415', async () => {
    const response = await raw(admin).request('POST', '/brands', {
      body: JSON.stringify({ name: 'BMW' }),
      headers: { 'content-type': 'text/plain' },
    });

    expect(expectProblem(response, 415).type).toMatch(/unsupported-media-type$/);
    expect(await brandNames()).toEqual([]);
  });

  it('refuses a PATCH body that is not application/json with 415 and changes nothing', async () => {
    const brand = await createBrand('BMW');

    const response = await raw(admin).request('PATCH', `/brands/${brand.id}`, {
      body: 'name=Mini',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expectProblem(response, 415);
    expect(await brandNames()).toEqual(['BMW']);
  });
});

describe('list query validation', () => {
  it.each([0, 101, 2.5])('refuses limit=%s with 400 naming query.limit', async (limit) => {
    const response = await admin.GET('/brands', { params: { query: { limit } } });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.limit']);
  });

  it('refuses limit=abc with 400 naming query.limit', async () => {
    const response = await raw(admin).get('/brands?limit=abc');

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.limit']);
  });

  it.each([1, 100])('accepts limit=%s', async (limit) => {
    await createBrand('BMW');

    const page = expectData(await admin.GET('/brands', { params: { query: { limit } } }));

    expect(page.items).toHaveLength(1);
  });

  it('refuses a tampered cursor with 400 naming query.cursor', async () => {
    for (const name of ['Audi', 'BMW', 'Citroen']) await createBrand(name);
    const first = expectData(await admin.GET('/brands', { params: { query: { limit: 1 } } }));
    const cursor = first.nextCursor ?? '';
    const flipped = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const tampered = [
      flipped(cursor, 0),
      flipped(cursor, cursor.indexOf('.') - 1),
      flipped(cursor, cursor.length - 1),
    ];

    const responses = await Promise.all(
      tampered.map((bad) => admin.GET('/brands', { params: { query: { limit: 1, cursor: bad } } })),
    );

    expect(cursor).toContain('.');
    for (const response of responses)
      expect(problemPaths(expectProblem(response, 400))).toEqual(['query.cursor']);
  });

  it('refuses a forged cursor that is well-formed but unsigned with 400', async () => {
    const payload = Buffer.from(JSON.stringify({ k: ['a'], s: 'brands' })).toString('base64url');

    const response = await admin.GET('/brands', {
      params: { query: { cursor: `${payload}.${'A'.repeat(43)}` } },
    });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.cursor']);
  });

  it('refuses a cursor of /brands on /models with 400', async () => {
    for (const name of ['Audi', 'BMW']) await createBrand(name);
    const first = expectData(await admin.GET('/brands', { params: { query: { limit: 1 } } }));

    const response = await admin.GET('/models', { params: { query: { cursor: first.nextCursor ?? '' } } });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.cursor']);
  });

  it('refuses an unknown query parameter with 400', async () => {
    const response = await raw(admin).get('/brands?sort=name');

    expect(problemPaths(expectProblem(response, 400))).toEqual(['query.sort']);
  });
});

describe('access tokens', () => {
  it('refuses a request without a token with 401 problem+json and WWW-Authenticate', async () => {
    const response = await anonymous.GET('/brands');

    expect(expectProblem(response, 401).type).toMatch(/unauthorized$/);
    expect(response.response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a garbage token with 401', async () => {
    const response = await createApiClient(stack.url, 'not.a.jwt').GET('/brands');

    expectProblem(response, 401);
  });

  it('refuses a token whose signature was tampered with with 401', async () => {
    const { access_token: token } = await fetchToken(stack.url, demo('demo-admin'));
    const [header, payload, signature = ''] = token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

    expectProblem(await createApiClient(stack.url, forged).GET('/brands'), 401);
  });

  it('checks the token before anything else: an unauthenticated malformed request is a 401', async () => {
    expectProblem(await anonymous.POST('/brands', { body: { name: '' } }), 401);
  });

  it('lets demo-reader read', async () => {
    const brand = await createBrand('Jaguar');

    const list = await reader.GET('/brands');
    const one = await reader.GET('/brands/{brandId}', brandPath(brand.id));
    const models = await reader.GET('/models', { params: { query: { brandId: brand.id } } });

    expect(expectData(list).items).toEqual([brand]);
    expectStatus(one, 200);
    expectStatus(models, 200);
  });

  it('refuses writes by demo-reader with 403 problem+json and changes nothing', async () => {
    const brand = await createBrand('Jaguar');

    const post = await reader.POST('/brands', { body: { name: 'Land Rover' } });
    const patch = await reader.PATCH('/brands/{brandId}', { ...brandPath(brand.id), body: { name: 'Jag' } });
    const remove = await reader.DELETE('/brands/{brandId}', brandPath(brand.id));

    expect(expectProblem(post, 403).type).toMatch(/forbidden$/);
    expectProblem(patch, 403);
    expectProblem(remove, 403);
    expect(await brandNames()).toEqual(['Jaguar']);
  });

  it('lets demo-writer create', async () => {
    const response = await writer.POST('/brands', { body: { name: 'Land Rover' } });

    expectStatus(response, 201);
    expect(await brandNames()).toEqual(['Land Rover']);
  });

  it('refuses writes with a demo-writer token that asked only for sales-api/read (403)', async () => {
    const readOnly = await clientOf(stack, 'demo-writer', 'sales-api/read');

    const read = await readOnly.GET('/brands');
    const write = await readOnly.POST('/brands', { body: { name: 'Land Rover' } });

    expectStatus(read, 200);
    expectProblem(write, 403);
    expect(await brandNames()).toEqual([]);
  });

  it('lets demo-admin do everything', async () => {
    const brand = expectData(await admin.POST('/brands', { body: { name: 'Lotus', country: 'GB' } }), 201);
    const model = expectData(
      await admin.POST('/models', { body: { brandId: brand.id, name: 'Elise' } }),
      201,
    );
    const modelPath = { params: { path: { modelId: model.id } } };
    const patchedBrand = await admin.PATCH('/brands/{brandId}', {
      ...brandPath(brand.id),
      body: { name: 'Lotus Cars' },
    });
    const patchedModel = await admin.PATCH('/models/{modelId}', { ...modelPath, body: { launchYear: 1996 } });
    const listed = await admin.GET('/models', { params: { query: { brandId: brand.id } } });
    const deletedModel = await admin.DELETE('/models/{modelId}', modelPath);
    const deletedBrand = await admin.DELETE('/brands/{brandId}', brandPath(brand.id));

    expectStatus(patchedBrand, 200);
    expectStatus(patchedModel, 200);
    expect(expectData(listed).items.map((item) => item.launchYear)).toEqual([1996]);
    expectStatus(deletedModel, 204);
    expectStatus(deletedBrand, 204);
  });
});

/** The demo credentials of `clientId` (secret `<clientId>-secret`). */
const demo = (clientId: string): Credentials => ({ clientId, clientSecret: `${clientId}-secret` });

/** The token endpoint's answer to `credentials`, its body parsed as the JSON it must be. */
async function tokenAnswer(credentials: Credentials & { grantType?: string }) {
  const response = await requestToken(stack.url, credentials);
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('POST /oauth2/token', () => {
  it('issues a bearer token with the requested scope', async () => {
    const response = await tokenAnswer({ ...demo('demo-writer'), scope: 'sales-api/read' });

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
    const response = await tokenAnswer({ clientId: 'demo-admin', clientSecret: 'demo-reader-secret' });

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client' });
    expect(response.body).not.toHaveProperty('access_token');
  });

  it('refuses an unknown client with 401 invalid_client', async () => {
    const response = await tokenAnswer(demo('mallory'));

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a grant other than client_credentials with 400 unsupported_grant_type', async () => {
    const response = await tokenAnswer({ ...demo('demo-admin'), grantType: 'password' });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('refuses a scope the client may not have with 400 invalid_scope', async () => {
    const response = await tokenAnswer({ ...demo('demo-reader'), scope: 'sales-api/write' });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_scope' });
  });

  it('answers only POST: a GET of the token endpoint is not a token', async () => {
    const response = await sendRaw(stack.url, { method: 'GET', path: '/oauth2/token' });

    expect(response.status).toBe(404);
  });
});
