import type { APIGatewayProxyResult } from 'aws-lambda';
import type { FieldIssue } from '../errors';

export const PROBLEM_BASE = 'https://car-sales.example.com/problems/';

export interface ProblemInit {
  status: number;
  /** Short slug, e.g. `not-found`, expanded to a `type` URI. */
  type: string;
  title: string;
  detail?: string;
  errors?: FieldIssue[];
  headers?: Record<string, string>;
  [extension: string]: unknown;
}

/**
 * At most this many `errors` items are sent; the rest are counted in `omittedErrors`. A 200,000-row import can have
 * more issues than a Lambda response (6 MB) holds, and the first thousand show what to fix.
 */
export const MAX_PROBLEM_ERRORS = 1000;

/** An RFC 9457 `application/problem+json` response. */
export function problemResponse(init: ProblemInit, requestId?: string): APIGatewayProxyResult {
  const { status, type, title, headers, errors, ...extensions } = init;
  const rest = {
    ...extensions,
    ...(errors && { errors: errors.slice(0, MAX_PROBLEM_ERRORS) }),
    ...(errors &&
      errors.length > MAX_PROBLEM_ERRORS && { omittedErrors: errors.length - MAX_PROBLEM_ERRORS }),
  };
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/problem+json',
      ...headers,
      ...(requestId !== undefined && { 'x-request-id': requestId }),
    },
    body: JSON.stringify({ type: `${PROBLEM_BASE}${type}`, title, status, ...rest, requestId }),
  };
}
