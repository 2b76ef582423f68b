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
 * problem+json) and hands both to the handler on `context.dispatch`; adds request, client and operation to logs.
 */
export function routeRequests(
  endpoints: ReadonlyMap<string, Endpoint>,
): HttpMiddleware<Context & { dispatch?: Dispatch }> {
  return {
    before: (request) => {
      const { event, context } = request;
      logger.appendKeys({ requestId: event.requestContext.requestId });
      const endpoint = endpoints.get(routeKey(event.httpMethod, event.resource));
      if (!endpoint) {
        throw new HttpProblem({
          status: 404,
          type: 'not-found',
          title: 'Not Found',
          detail: 'No such route',
        });
      }
      const apiRequest = endpoint.parse(event, context);
      logger.appendKeys({ clientId: apiRequest.principal.clientId, operation: endpoint.operationId });
      context.dispatch = { operation: endpoint.operation, request: apiRequest };
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

/** onError: every error becomes problem+json (error-mapping.ts); nothing escapes to API Gateway. */
export function problemErrors(): HttpMiddleware {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error, request.event.requestContext.requestId);
    },
  };
}
