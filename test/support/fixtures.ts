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
import { type ApiClient, connect, createApiClient } from '../../client';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack';

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
export function clientOf(stack: { url: string }, clientId: string, scope?: string): Promise<ApiClient> {
  return connect(stack.url, { clientId, clientSecret: `${clientId}-secret`, scope });
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
    anonymous: [async ({ stack }, use) => use(createApiClient(stack.url)), { scope: 'file' }],
    clientOf: [async ({ stack }, use) => use((id, scope) => clientOf(stack, id, scope)), { scope: 'file' }],
  });
}
