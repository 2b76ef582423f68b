/** The HTTP layer in process: a small route table through the real middy chain, no engine behind it. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { apiHandlerFactory } from '../../lambdas/shared/http/api-handler';
import { MAX_PROBLEM_ERRORS, problemResponse } from '../../lambdas/shared/http/problem';
import { proxyEvent } from '../../lambdas/shared/http/proxy-event';
import { ok } from '../../lambdas/shared/http/responses';
import { entityRoutes, problem } from '../../lambdas/shared/route';
import { lambdaContext } from '../../local/gateway';

const Thing = z.object({ id: z.string(), name: z.string() });
const routes = [
  ...entityRoutes(
    'brand',
    { name: 'Things', description: 'Test things' },
    {
      listThings: {
        method: 'GET',
        path: '/things',
        access: 'read',
        summary: 'List',
        query: z.strictObject({ q: z.string().optional() }),
        responses: { 200: { description: 'Things', schema: z.array(Thing) } },
      },
      getThing: {
        method: 'GET',
        path: '/things/{id}',
        access: 'read',
        summary: 'Get',
        params: z.object({ id: z.string().regex(/^\d+$/) }),
        responses: { 200: { description: 'A thing', schema: Thing }, 404: problem('No such thing') },
      },
      renameThing: {
        method: 'PATCH',
        path: '/things/{id}',
        access: 'write',
        summary: 'Rename',
        params: z.object({ id: z.string() }),
        body: z.strictObject({ name: z.string() }),
        responses: { 200: { description: 'The thing', schema: Thing } },
      },
    },
  ),
];
const createHandler = apiHandlerFactory(routes);

const handler = createHandler('brand', {
  listThings: async ({ query }) => ok([{ id: '1', name: query.q ?? 'all' }]),
  getThing: async ({ params }) => {
    if (params.id === '500') throw new Error('secret internals at /src/db.ts:12:3');
    return ok({ id: params.id, name: 'one' });
  },
  renameThing: async ({ params, body, headers }) =>
    ok({ id: params.id, name: `${body.name} ${headers['if-match']}` }),
});

function call(input: {
  method: string;
  resource: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: string;
  headers?: [string, string][];
  body?: string;
}): Promise<APIGatewayProxyResult> {
  const event = proxyEvent({
    method: input.method,
    resource: input.resource,
    path: input.path ?? input.resource,
    pathParameters: input.pathParameters ?? null,
    query: new URLSearchParams(input.query),
    headers: input.headers,
    body: input.body ?? null,
    claims: { client_id: 'test-client', scope: 'sales-api/read sales-api/write' },
    requestId: 'req-1',
    stage: 'test',
  });
  return handler(event, lambdaContext('brand', 'req-1'));
}

const renameThing = (headers: [string, string][], body = JSON.stringify({ name: 'seven' })) =>
  call({
    method: 'PATCH',
    resource: '/things/{id}',
    path: '/things/7',
    pathParameters: { id: '7' },
    headers,
    body,
  });

const getThing = (id: string, headers: [string, string][] = []) =>
  call({ method: 'GET', resource: '/things/{id}', path: `/things/${id}`, pathParameters: { id }, headers });

describe('Function: apiHandlerFactory', () => {
  it('refuses a function whose operations miss one of its routes', () => {
    // Act & Assert
    expect(() =>
      // @ts-expect-error renameThing is missing: a compile error, and a start-up error for untyped callers
      createHandler('brand', { listThings: async () => ok([]), getThing: async () => ok({}) }),
    ).toThrow('Function brand has no operation renameThing');
  });
});

describe('Middleware: routeRequests', () => {
  it('answers 404 problem+json for a resource the function does not serve', async () => {
    // Act
    const response = await call({ method: 'GET', resource: '/elsewhere' });

    // Assert
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 404, requestId: 'req-1' });
  });

  it('names every invalid field at once, from path, query and body', async () => {
    // Act
    const badPath = await getThing('abc');
    const badQuery = await call({ method: 'GET', resource: '/things', query: 'q=x&extra=1' });

    // Assert
    expect(badPath.statusCode).toBe(400);
    expect(JSON.parse(badPath.body).errors.map((issue: { path: string }) => issue.path)).toEqual(['path.id']);
    expect(badQuery.statusCode).toBe(400);
    expect(JSON.parse(badQuery.body).errors.map((issue: { path: string }) => issue.path)).toEqual([
      'query.extra',
    ]);
  });

  it('hands the operation the validated request, with its conditional header', async () => {
    // Act
    const response = await renameThing([
      ['Content-Type', 'application/json'],
      ['If-Match', '"abc"'],
    ]);

    // Assert
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ id: '7', name: 'seven "abc"' });
  });

  it('answers 415 for a body of another media type', async () => {
    // Act
    const response = await renameThing([['Content-Type', 'text/plain']], 'seven');

    // Assert
    expect(response.statusCode).toBe(415);
  });
});

describe('Middleware: conditionalGet', () => {
  it('answers 304 with the ETag and no body when If-None-Match lists the current ETag', async () => {
    // Arrange
    const first = await getThing('1');
    const etag = String(first.headers?.etag);

    // Act
    const exact = await getThing('1', [['If-None-Match', etag]]);
    const listed = await getThing('1', [['if-none-match', `"other", W/${etag}`]]);
    const stale = await getThing('1', [['If-None-Match', '"other"']]);

    // Assert
    expect(first.statusCode).toBe(200);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(exact).toEqual({ statusCode: 304, headers: { etag, 'x-request-id': 'req-1' }, body: '' });
    expect(listed.statusCode).toBe(304);
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  it('never turns an error or a write into a 304', async () => {
    // Act
    const failed = await getThing('abc', [['If-None-Match', '*']]);
    const written = await renameThing([
      ['Content-Type', 'application/json'],
      ['If-None-Match', '*'],
    ]);

    // Assert
    expect(failed.statusCode).toBe(400);
    expect(written.statusCode).toBe(200);
  });
});

describe('Middleware: problemErrors', () => {
  it('turns an unexpected error into a bare 500 without internals', async () => {
    // Act
    const response = await getThing('500');

    // Assert
    expect(response.statusCode).toBe(500);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.body).not.toMatch(/secret|db\.ts/);
    expect(JSON.parse(response.body)).toMatchObject({ status: 500, requestId: 'req-1' });
  });
});

describe('Function: requestParser (query rules)', () => {
  it('refuses unknown and repeated query parameters on every route, naming each', async () => {
    // Act
    const onItem = await call({
      method: 'GET',
      resource: '/things/{id}',
      path: '/things/1',
      pathParameters: { id: '1' },
      query: 'verbose=1',
    });
    const repeated = await call({ method: 'GET', resource: '/things', query: 'q=a&q=b' });

    // Assert
    expect(onItem.statusCode).toBe(400);
    expect(JSON.parse(onItem.body).errors).toEqual([
      { path: 'query.verbose', message: 'is not a known field' },
    ]);
    expect(repeated.statusCode).toBe(400);
    expect(JSON.parse(repeated.body).errors).toEqual([
      { path: 'query.q', message: 'is repeated; send it once' },
    ]);
  });
});

describe('Function: problemResponse', () => {
  it('sends at most MAX_PROBLEM_ERRORS errors and counts the rest', () => {
    // Arrange
    const errors = Array.from({ length: MAX_PROBLEM_ERRORS + 5 }, (_, i) => ({
      path: `line ${i + 2}`,
      message: 'bad',
    }));

    // Act
    const response = problemResponse(
      { status: 422, type: 'unprocessable', title: 'Unprocessable Content', errors },
      'r',
    );

    // Assert
    const body = JSON.parse(response.body);
    expect(body.errors).toHaveLength(MAX_PROBLEM_ERRORS);
    expect(body.errors[0]).toEqual({ path: 'line 2', message: 'bad' });
    expect(body.omittedErrors).toBe(5);
    expect(response.headers?.['x-request-id']).toBe('r');
  });
});
