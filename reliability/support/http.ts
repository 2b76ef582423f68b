/**
 * Raw requests (exact bytes, exact content type or none) and the problem+json checks every refusal must pass.
 * Use from test files only (imports vitest).
 */
import { expect } from 'vitest';
import {
  type RawRequest as ClientRawRequest,
  sendRaw as clientSendRaw,
  type RawResponse,
} from '../../client';
import { type AnyResponse, expectProblem, type Problem, rawOf } from '../../test/support/api';

export interface RawRequest extends Omit<ClientRawRequest, 'path' | 'token'> {
  /** Path and query, sent as is (after WHATWG URL parsing, like any HTTP client). */
  url: string;
}

/** The client's escape hatch (client/index.ts), with the path as `url` like the fuzzers build it. */
export function sendRaw(base: string, { url, ...request }: RawRequest): Promise<RawResponse> {
  return clientSendRaw(base, { ...request, path: url });
}

const PROBLEM_FIELDS = new Set(['type', 'title', 'status', 'detail', 'requestId', 'errors', 'instance']);

/**
 * Asserts a well-formed RFC 9457 refusal whatever its status: problem+json with type, title, status, detail and
 * the request id (see test/support/http.ts), no stack trace, and no members but the problem's own.
 * `bare` also forbids `errors` (refusals that must not echo anything, e.g. 401 and 403).
 */
export function expectProblemShape(result: AnyResponse, options: { bare?: boolean } = {}): Problem {
  const response = rawOf(result);
  const problem = expectProblem(response, response.status);
  const allowed = options.bare ? new Set(['type', 'title', 'status', 'detail', 'requestId']) : PROBLEM_FIELDS;
  expect(
    Object.keys(problem).filter((key) => !allowed.has(key)),
    response.text,
  ).toEqual([]);
  return problem;
}
