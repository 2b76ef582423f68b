/**
 * The problem+json checks every refusal must pass. Raw requests (exact bytes, exact content type or none) are
 * client/'s `sendRaw`. Use from test files only (imports vitest).
 */
import { expect } from 'vitest';
import { type AnyResponse, expectProblem, type Problem, rawOf } from '../../test/support/api';

const PROBLEM_FIELDS = new Set(['type', 'title', 'status', 'detail', 'requestId', 'errors', 'instance']);

/**
 * Asserts a well-formed RFC 9457 refusal whatever its status: problem+json with type, title, status, detail and
 * the request id (see test/support/api.ts), no stack trace, and no members but the problem's own.
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
