import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../powertools';
import { routeKey } from '../route';
import type { ApiResult } from './api-handler';
import { errorResponse } from './error-mapping';
import { etagMatches } from './etag';
import { HttpProblem } from './http-problem';
import { type ApiRequest, headerOf } from './request';

type HttpMiddleware<C extends Context = Context> = MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  C
>;

/** The Lambda context (function, cold start, request id) in every log line, reset after each invocation. */
export const lambdaLogContext = (): HttpMiddleware => injectLambdaContext(logger, { resetKeys: true });

/**
 * The logger context of a function without routes (docs): the Lambda context and API Gateway's request id, as
 * `routeRequests` adds it for the API functions.
 */
export function requestLogging(): HttpMiddleware {
  const { before, after, onError } = lambdaLogContext();
  return {
    before: (request) => {
      before?.(request);
      logger.appendKeys({ requestId: request.event.requestContext.requestId });
    },
    after,
    onError,
  };
}

/** What the handler runs: the operation of the route the event came in on, with the validated request. */
export interface Dispatch {
  operation: (request: ApiRequest) => Promise<ApiResult>;
  request: ApiRequest;
}

export interface Endpoint {
  operationId: string;
  operation: Dispatch['operation'];
  parse: (event: APIGatewayProxyEvent, context: Context) => ApiRequest;
}

/**
 * before: finds the endpoint by API Gateway's resource and method, validates the request (throwing for
 * problem+json) and hands both to the handler on `context.dispatch`. Adds request id, client and operation to
 * the logs in one call: each call costs a few µs of environment reads in Powertools.
 */
export function routeRequests(
  endpoints: ReadonlyMap<string, Endpoint>,
): HttpMiddleware<Context & { dispatch?: Dispatch }> {
  return {
    before: ({ event, context }) => {
      const endpoint = endpoints.get(routeKey(event.httpMethod, event.resource));
      if (!endpoint) {
        throw new HttpProblem({
          status: 404,
          type: 'not-found',
          title: 'Not Found',
          detail: 'No such route',
        });
      }
      const request = endpoint.parse(event, context);
      const { requestId, principal } = request;
      logger.appendKeys({ requestId, clientId: principal.clientId, operation: endpoint.operationId });
      context.dispatch = { operation: endpoint.operation, request };
    },
  };
}

/** after: a GET whose 200 carries an ETag that If-None-Match lists becomes a bodiless 304 (RFC 9110 13.1.2). */
export function conditionalGet(): HttpMiddleware {
  return {
    after: (request) => {
      const { event, response } = request;
      const etag = response?.headers?.etag;
      if (event.httpMethod !== 'GET' || response?.statusCode !== 200 || typeof etag !== 'string') return;
      if (etagMatches(headerOf(event, 'if-none-match'), etag)) {
        request.response = { statusCode: 304, headers: { etag }, body: '' };
      }
    },
  };
}

/**
 * onError: every error becomes problem+json (error-mapping.ts); nothing escapes to API Gateway. The request id
 * joins the logs here too, for errors raised before `routeRequests` added it.
 */
export function problemErrors(): HttpMiddleware {
  return {
    onError: (request) => {
      const requestId = request.event.requestContext.requestId;
      logger.appendKeys({ requestId });
      request.response = errorResponse(request.error, requestId);
    },
  };
}
