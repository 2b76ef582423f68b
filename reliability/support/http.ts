/**
 * Raw requests (exact bytes, exact content type or none) and the problem+json checks every refusal must pass.
 * Use from test files only (imports vitest).
 */
import { expect } from 'vitest';
import { type ApiResponse, expectProblem, type Problem } from '../../test/support/http';

export interface RawRequest {
  method: string;
  /** Path and query, sent as is (after WHATWG URL parsing, like any HTTP client). */
  url: string;
  headers?: Record<string, string>;
  /** Sent as UTF-8 bytes without any default content type. */
  body?: string;
  signal?: AbortSignal;
}

export async function sendRaw(base: string, request: RawRequest): Promise<ApiResponse> {
  const response = await fetch(new URL(request.url, base), {
    method: request.method,
    headers: request.headers,
    body: request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'),
    signal: request.signal,
  });
  const text = await response.text();
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  let body: unknown = text === '' ? undefined : text;
  if (isJson && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(
        `${request.method} ${request.url}: ${response.status} with malformed JSON: ${text.slice(0, 200)}`,
      );
    }
  }
  return { status: response.status, headers: response.headers, body, text };
}

const PROBLEM_FIELDS = new Set(['type', 'title', 'status', 'detail', 'requestId', 'errors', 'instance']);

/**
 * Asserts a well-formed RFC 9457 refusal whatever its status: problem+json with type, title, status, detail and
 * the request id (see test/support/http.ts), no stack trace, and no members but the problem's own.
 * `bare` also forbids `errors` (refusals that must not echo anything, e.g. 401 and 403).
 */
export function expectProblemShape(response: ApiResponse, options: { bare?: boolean } = {}): Problem {
  const problem = expectProblem(response, response.status);
  const allowed = options.bare ? new Set(['type', 'title', 'status', 'detail', 'requestId']) : PROBLEM_FIELDS;
  expect(
    Object.keys(problem).filter((key) => !allowed.has(key)),
    response.text,
  ).toEqual([]);
  return problem;
}
