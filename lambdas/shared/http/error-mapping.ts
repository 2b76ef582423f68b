import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
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

function toProblem(error: unknown): ProblemInit {
  if (error instanceof HttpProblem) return error.problem;
  if (error instanceof ValidationError) {
    return error.status === 400
      ? {
          status: 400,
          type: 'validation-error',
          title: 'Bad Request',
          detail: error.message,
          errors: error.issues,
        }
      : {
          status: 422,
          type: 'unprocessable',
          title: 'Unprocessable Content',
          detail: error.message,
          errors: error.issues,
        };
  }
  if (error instanceof NotFoundError)
    return { status: 404, type: 'not-found', title: 'Not Found', detail: error.message };
  if (error instanceof ConflictError) {
    const errors = error.issues.length > 0 ? { errors: error.issues } : {};
    return { status: 409, type: 'conflict', title: 'Conflict', detail: error.message, ...errors };
  }
  if (error instanceof PreconditionFailedError) {
    return { status: 412, type: 'precondition-failed', title: 'Precondition Failed', detail: error.message };
  }
  if (error instanceof ForbiddenError)
    return { status: 403, type: 'forbidden', title: 'Forbidden', detail: error.message };
  if (error instanceof UnavailableError) {
    return {
      status: 503,
      type: 'unavailable',
      title: 'Service Unavailable',
      detail: 'A backing service is unavailable; nothing was changed. Retry later.',
      headers: { 'retry-after': '5' },
    };
  }
  return {
    status: 500,
    type: 'internal',
    title: 'Internal Server Error',
    detail: 'Something went wrong on our side.',
  };
}
