/**
 * Vitest fixtures for tests against the local stack: one stack per test file, started on first use and closed
 * after the file's last test, with typed API clients (client/) for the demo clients.
 *
 *   const test = stackTest({ projectorIntervalMs: 0 });
 *
 *   test('creates a brand', async ({ admin }) => {
 *     const { data, response } = await admin.POST('/brands', { body: { name: 'Volvo' } });
 *     expect(response.status).toBe(201);
 *   });
 *
 * `stack` gives the engines (`stack.sql`, `stack.projector`…) for arranging and checking state; `anonymous`
 * sends no token; `clientOf(id)` any other client of the stack. Imports vitest: use from test files only.
 */
import { test as base } from 'vitest';
import { type ApiClient, createApiClient, type RawResponse, sendRaw, tokenCache } from '../../client';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack';
import { keepText } from './api';

export interface StackFixtures {
  stack: LocalStack;
  /** demo-admin: every scope. */
  admin: ApiClient;
  /** demo-writer: read and write. */
  writer: ApiClient;
  /** demo-reader: read only. */
  reader: ApiClient;
  /** No Authorization header. */
  anonymous: ApiClient;
  /** A client of the stack by id, with its demo secret `<id>-secret` (and only `scope`, when given). */
  clientOf: (clientId: string, scope?: string) => Promise<ApiClient>;
}

/** A typed client for `clientId` of `stack` (demo secret `<id>-secret`), optionally with fewer scopes. */
export async function clientOf(stack: { url: string }, clientId: string, scope?: string): Promise<ApiClient> {
  const tokens = tokenCache(stack.url, { clientId, clientSecret: `${clientId}-secret`, scope });
  await tokens();
  const client = createApiClient(stack.url, tokens);
  client.use(keepText);
  rawTargets.set(client, { url: stack.url, tokens });
  return client;
}

const rawTargets = new WeakMap<ApiClient, { url: string; tokens: () => Promise<string> }>();

/**
 * The escape hatch for requests the typed client cannot send (malformed JSON, another content type, no body):
 * sent as given with `client`'s token, through client/'s `sendRaw`. `json` is serialized with
 * `content-type: application/json` unless `headers` names another.
 */
export async function sendAs<T = unknown>(
  client: ApiClient,
  method: string,
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse<T>> {
  const target = rawTargets.get(client);
  if (!target) throw new Error('sendAs needs a client made by clientOf (or a stackTest fixture)');
  const headers = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  return sendRaw<T>(target.url, { method, path, headers, body, token: await target.tokens() });
}

/**
 * A `test` whose fixtures share one local stack per file, started with `options` (port 0, in memory; the
 * projector's timer is on unless `projectorIntervalMs: 0`).
 */
export function stackTest(options: LocalStackOptions = {}) {
  return base.extend<StackFixtures>({
    stack: [
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from this pattern
      async ({}, use) => {
        const stack = await startLocalStack({ ...options, port: 0 });
        try {
          await use(stack);
        } finally {
          await stack.close();
        }
      },
      { scope: 'file' },
    ],
    admin: [async ({ stack }, use) => use(await clientOf(stack, 'demo-admin')), { scope: 'file' }],
    writer: [async ({ stack }, use) => use(await clientOf(stack, 'demo-writer')), { scope: 'file' }],
    reader: [async ({ stack }, use) => use(await clientOf(stack, 'demo-reader')), { scope: 'file' }],
    anonymous: [
      async ({ stack }, use) => {
        const client = createApiClient(stack.url);
        client.use(keepText);
        await use(client);
      },
      { scope: 'file' },
    ],
    clientOf: [async ({ stack }, use) => use((id, scope) => clientOf(stack, id, scope)), { scope: 'file' }],
  });
}

/** `sendAs` by method, for tests that build paths and query strings by hand: `raw(reader).get('/sales?limit=1')`. */
export function raw(client: ApiClient) {
  type Headers = Record<string, string>;
  return {
    request: <T = unknown>(method: string, path: string, options?: Parameters<typeof sendAs>[3]) =>
      sendAs<T>(client, method, path, options),
    get: <T = unknown>(path: string, headers?: Headers) => sendAs<T>(client, 'GET', path, { headers }),
    post: <T = unknown>(path: string, json: unknown, headers?: Headers) =>
      sendAs<T>(client, 'POST', path, { json, headers }),
    patch: <T = unknown>(path: string, json: unknown, headers?: Headers) =>
      sendAs<T>(client, 'PATCH', path, { json, headers }),
    delete: <T = unknown>(path: string, headers?: Headers) => sendAs<T>(client, 'DELETE', path, { headers }),
  };
}
