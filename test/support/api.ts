/**
 * Assertions for API responses, typed (`client/` results: `{ data, error, response }`) or raw (`sendRaw`).
 * Imports vitest: use from test files only.
 */
import { expect } from 'vitest';
import type { RawResponse, Schemas } from '../../client';

export type Problem = Schemas['Problem'];

/** A typed client's result, or a raw response. */
export type AnyResponse = RawResponse | { response: Response; error?: unknown; data?: unknown };

/** Status, headers, body and (for typed results, re-serialized) text of either kind of response. */
export function rawOf(result: AnyResponse): RawResponse {
  if ('response' in result) {
    const body = result.error ?? result.data;
    return {
      status: result.response.status,
      headers: result.response.headers,
      body,
      text: typeof body === 'string' ? body : (JSON.stringify(body) ?? ''),
    };
  }
  return result;
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
