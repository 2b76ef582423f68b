import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  ConflictError,
  DomainError,
  type ErrorKind,
  type FieldIssue,
  UnavailableError,
  ValidationError,
} from '../errors';
import { logger } from '../powertools';
import { HttpProblem } from './http-problem';
import { type ProblemInit, problemResponse } from './problem';

/** The one place that turns errors into problem+json; anything unexpected becomes a bare 500. */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  const problem = toProblem(error);
  if (problem.status >= 500)
    logger.error('Request failed', { error: error as Error, status: problem.status });
  return problemResponse(problem, requestId);
}

/** The 400 of a request with invalid fields, as a ValidationError of theirs answers (built without one). */
export function invalidRequestResponse(issues: FieldIssue[], requestId: string): APIGatewayProxyResult {
  return problemResponse(
    { ...BY_KIND.malformed, detail: 'The request has invalid fields', errors: issues },
    requestId,
  );
}

/** What each kind of domain error answers. */
const BY_KIND = {
  malformed: { status: 400, type: 'validation-error', title: 'Bad Request' },
  unprocessable: { status: 422, type: 'unprocessable', title: 'Unprocessable Content' },
  'not-found': { status: 404, type: 'not-found', title: 'Not Found' },
  conflict: { status: 409, type: 'conflict', title: 'Conflict' },
  'stale-precondition': { status: 412, type: 'precondition-failed', title: 'Precondition Failed' },
  forbidden: { status: 403, type: 'forbidden', title: 'Forbidden' },
  unavailable: { status: 503, type: 'unavailable', title: 'Service Unavailable' },
} as const satisfies Record<ErrorKind, Pick<ProblemInit, 'status' | 'type' | 'title'>>;

function toProblem(error: unknown): ProblemInit {
  if (error instanceof HttpProblem) return error.problem;
  if (error instanceof UnavailableError) {
    return {
      ...BY_KIND.unavailable,
      detail: 'A backing service is unavailable; nothing was changed. Retry later.',
      headers: { 'retry-after': '5' },
    };
  }
  if (error instanceof DomainError) {
    // A validation problem always lists its fields (possibly none); a conflict only when it is about some.
    const errors =
      error instanceof ValidationError || (error instanceof ConflictError && error.issues.length > 0)
        ? { errors: error.issues }
        : {};
    return { ...BY_KIND[error.kind], detail: error.message, ...errors };
  }
  return {
    status: 500,
    type: 'internal',
    title: 'Internal Server Error',
    detail: 'Something went wrong on our side.',
  };
}
