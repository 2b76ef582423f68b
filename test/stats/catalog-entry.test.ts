/**
 * The brand and model functions' one entry: only the exact internal shape `{ op: 'get', id }` is a lookup;
 * every API Gateway proxy event, however its body, query or top level looks, goes to the HTTP handler.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { catalogEntry } from '../../lambdas/shared/catalog/internal';
import { NotFoundError } from '../../lambdas/shared/errors';
import { proxyEvent } from '../../lambdas/shared/http/proxy-event';
import { lambdaContext } from '../../local/gateway';

const ID = '0b4f3a52-7a4e-4c1e-9d55-2f0a8c1e6b11';
const context: Context = lambdaContext('brand', 'test-request');

function entryWithSpies() {
  const seen = { http: [] as APIGatewayProxyEvent[], lookups: [] as string[] };
  const entry = catalogEntry(
    'brand',
    async (event) => {
      seen.http.push(event);
      return { statusCode: 200, body: '{}' };
    },
    async (id) => {
      seen.lookups.push(id);
      if (id !== ID) throw new NotFoundError('Brand', id);
      return { id, name: 'Volvo' };
    },
  );
  return { entry, seen };
}

const apiEvent = (body: string | null, query?: URLSearchParams) =>
  proxyEvent({
    method: 'POST',
    resource: '/brands',
    path: '/brands',
    pathParameters: null,
    query,
    body,
    claims: { client_id: 'someone', scope: 'car-sales/write' },
    requestId: 'r-1',
    stage: 'prod',
  });

describe('Function: catalogEntry', () => {
  it('answers an internal lookup with the item, or null when it does not exist', async () => {
    const { entry, seen } = entryWithSpies();
    expect(await entry({ op: 'get', id: ID }, context)).toEqual({ item: { id: ID, name: 'Volvo' } });
    expect(await entry({ op: 'get', id: '00000000-0000-4000-8000-000000000000' }, context)).toEqual({
      item: null,
    });
    expect(seen.http).toHaveLength(0);
  });

  it('sends every proxy event to the HTTP handler, even one carrying the internal fields', async () => {
    const { entry, seen } = entryWithSpies();
    const lookalike = JSON.stringify({ op: 'get', id: ID });
    const events = [
      apiEvent(lookalike),
      apiEvent(null, new URLSearchParams({ op: 'get', id: ID })),
      { ...apiEvent(null), op: 'get', id: ID },
    ];
    for (const event of events) expect(await entry(event, context)).toHaveProperty('statusCode', 200);
    expect(seen.http).toHaveLength(3);
    expect(seen.lookups).toHaveLength(0);
  });

  it('takes nothing but the exact internal shape as a lookup', async () => {
    const { entry, seen } = entryWithSpies();
    const near = [
      { op: 'get', id: ID, extra: 1 },
      { op: 'list', id: ID },
      { op: 'get', id: 'not-an-id' },
    ];
    for (const event of near) await entry(event as unknown as APIGatewayProxyEvent, context);
    expect(seen.lookups).toHaveLength(0);
    expect(seen.http).toHaveLength(3);
  });
});
