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

/** An RFC 9457 `application/problem+json` response. Built by assignment: most refused requests end here. */
export function problemResponse(init: ProblemInit, requestId?: string): APIGatewayProxyResult {
  const { status, type, title, headers, errors, ...extensions } = init;
  const body: Record<string, unknown> = { type: `${PROBLEM_BASE}${type}`, title, status, ...extensions };
  if (errors) {
    body.errors = errors.length > MAX_PROBLEM_ERRORS ? errors.slice(0, MAX_PROBLEM_ERRORS) : errors;
    if (errors.length > MAX_PROBLEM_ERRORS) body.omittedErrors = errors.length - MAX_PROBLEM_ERRORS;
  }
  body.requestId = requestId;
  const responseHeaders: Record<string, string> = { 'content-type': 'application/problem+json', ...headers };
  if (requestId !== undefined) responseHeaders['x-request-id'] = requestId;
  return { statusCode: status, headers: responseHeaders, body: JSON.stringify(body) };
}
