/**
 * Assertions for API responses, typed (`client/` results: `{ data, error, response }`) or raw (`sendRaw`).
 * Imports vitest: use from test files only.
 */

import type { Middleware } from 'openapi-fetch';
import { expect } from 'vitest';
import type { RawResponse, Schemas } from '../../client';

export type Problem = Schemas['Problem'];

/** A typed client's result, or a raw response. */
export type AnyResponse = RawResponse | { response: Response; error?: unknown; data?: unknown };

/**
 * Remembers the exact body text of every response of a typed client (openapi-fetch parses it away), so
 * assertions can look at the bytes: `client.use(keepText)`. The test fixtures' clients have it.
 */
export const keepText: Middleware = {
  async onResponse({ response }) {
    texts.set(response, await response.clone().text());
    return undefined;
  },
};
const texts = new WeakMap<Response, string>();

/** Status, headers, body and text (exact with `keepText`, else re-serialized) of either kind of response. */
export function rawOf(result: AnyResponse): RawResponse {
  if (!('response' in result)) return result;
  const body = result.error ?? result.data;
  const text = texts.get(result.response) ?? (typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
  return {
    status: result.response.status,
    headers: result.response.headers,
    body: body === '' ? undefined : body,
    text,
  };
}

/**
 * A typed result as `{ status, headers, body, text }`, with `body` typed as the success data: check the status
 * before trusting it (an error's problem body is there too).
 */
export function reply<D>(result: { data?: D; error?: unknown; response: Response }): RawResponse<D> {
  return rawOf(result) as RawResponse<D>;
}

/** The status, with the body as the failure message. */
export function expectStatus(result: AnyResponse, status: number): void {
  const { status: actual, text } = rawOf(result);
  expect(actual, text).toBe(status);
}

/** The data of a successful typed result with `status`; fails with the problem otherwise. */
export function expectData<T>(result: { data?: T; error?: unknown; response: Response }, status = 200): T {
  expectStatus(result, status);
  if (result.data === undefined) throw new Error(`${status} without a body`);
  return result.data;
}

/**
 * Asserts an RFC 9457 problem response: the status, `application/problem+json`, `type`, `title`, `status`,
 * `detail` and a `requestId` equal to the `x-request-id` header, and no stack trace. Returns the body.
 */
export function expectProblem(result: AnyResponse, status: number): Problem {
  const { status: actual, headers, body, text } = rawOf(result);
  expect(actual, text).toBe(status);
  expect(headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const problem = body as Problem;
  expect(problem).toMatchObject({
    type: expect.stringMatching(/^https?:\/\/\S+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    requestId: expect.any(String),
  });
  expect(problem.title).not.toBe('');
  expect(problem.detail).not.toBe('');
  expect(problem.requestId).toBe(headers.get('x-request-id'));
  // A stack frame, raw or JSON-escaped ("\n    at fn (/src/file.ts:12:3)"), or a stack property.
  expect(text).not.toMatch(/(\\n|\n)\s+at |"stack"|node_modules\/|\.[cm]?[jt]s:\d+:\d+/);
  return problem;
}

/** The `errors[].path` values of a problem (e.g. `body.name`, `path.brandId`, `query.limit`), sorted. */
export function problemPaths(problem: Problem): string[] {
  return (problem.errors ?? []).map((issue) => issue.path).sort();
}

/** The first item; the test is wrong if there is none. */
export function one<T>(items: readonly T[]): T {
  const [first] = items;
  if (first === undefined) throw new Error('expected at least one item');
  return first;
}
