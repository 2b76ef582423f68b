import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problemResponse } from '../lambdas/shared/http/problem';
import { acceptedScopes } from '../lambdas/shared/route';
import { AccessDeniedError, type LocalAuthority } from './auth';
import { deniedResponse } from './gateway';
import type { RequestHandler } from './http-server';
import type { PrometheusRegistry } from './prometheus';

/** Where the local server serves its metrics (not an API route: in AWS they are in CloudWatch). */
export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics` in front of the gateway: the Prometheus text of `registry`, for a token with the admin scope
 * (401/403 problem+json otherwise, as the API answers); every other request goes on to `next`.
 */
export function withMetricsEndpoint(
  next: RequestHandler,
  auth: LocalAuthority,
  registry: PrometheusRegistry,
): RequestHandler {
  return async (request, response) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== METRICS_PATH)
      return next(request, response);
    write(response, await answer(request, auth, registry));
  };
}

async function answer(
  request: IncomingMessage,
  auth: LocalAuthority,
  registry: PrometheusRegistry,
): Promise<APIGatewayProxyResult> {
  request.resume();
  const requestId = randomUUID();
  if (request.method !== 'GET') {
    return problemResponse(
      {
        status: 405,
        type: 'method-not-allowed',
        title: 'Method Not Allowed',
        detail: `${request.method} is not allowed on ${METRICS_PATH}`,
        headers: { allow: 'GET' },
      },
      requestId,
    );
  }
  try {
    await auth.authorize(request.headers.authorization, acceptedScopes('admin'));
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    return deniedResponse(error, requestId);
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': requestId,
    },
    body: registry.text(),
  };
}

function write(response: ServerResponse, { statusCode, headers, body }: APIGatewayProxyResult): void {
  const plain = Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  response.writeHead(statusCode, plain).end(body);
}
