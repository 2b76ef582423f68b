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

/** An RFC 9457 `application/problem+json` response. */
export function problemResponse(init: ProblemInit, requestId?: string): APIGatewayProxyResult {
  const { status, type, title, headers, ...rest } = init;
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
