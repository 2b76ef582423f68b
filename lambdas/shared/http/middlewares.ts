import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { instrumented } from '../metrics';
import { currentInvocation, logger } from '../powertools';
import { routeKey } from '../route';
import type { ApiResult } from './api-handler';
import { errorResponse, invalidRequestResponse } from './error-mapping';
import { etagMatches } from './etag';
import { HttpProblem } from './http-problem';
import { type ApiRequest, headerOf, type InvalidRequest, requestIdOf } from './request';

type HttpMiddleware<C extends Context = Context> = MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  C
>;

type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Runs an API function's handler as an invocation of `service` (lambdas/shared/metrics.ts): its request id (the
 * caller's or API Gateway's, see request-id.ts) on every log line and on the calls it makes, its metrics
 * published when it ends. `routeRequests` names the operation.
 */
export function instrumentedHttp(service: string, handler: HttpHandler): HttpHandler {
  return (event, context) => {
    const requestId = requestIdOf(event);
    const gatewayRequestId = event.requestContext.requestId;
    return instrumented(
      {
        service,
        operation: 'unrouted',
        requestId,
        ...(requestId === gatewayRequestId ? {} : { logKeys: { gatewayRequestId } }),
      },
      () => handler(event, context),
    );
  };
}

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

/**
 * What the handler runs: the operation of the route the event came in on, with the validated request; or, for a
 * request with invalid fields, the 400 it answers.
 */
export type Dispatch =
  | { operation: (request: ApiRequest) => Promise<ApiResult>; request: ApiRequest }
  | { refusal: APIGatewayProxyResult };

export interface Endpoint {
  operationId: string;
  operation: (request: ApiRequest) => Promise<ApiResult>;
  parse: (
    event: APIGatewayProxyEvent,
    context: Context,
  ) => ApiRequest | InvalidRequest | Promise<ApiRequest | InvalidRequest>;
}

/**
 * before: finds the endpoint by API Gateway's resource and method, validates the request and hands both to the
 * handler on `context.dispatch` (a request with invalid fields as its 400, without an exception: most refused
 * requests are these). Names the invocation's operation and client, for its log lines and SQL metrics.
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
      const invocation = currentInvocation();
      if (invocation) {
        invocation.operation = endpoint.operationId;
        invocation.logKeys.operation = endpoint.operationId;
      }
      const dispatch = (request: ApiRequest | InvalidRequest) => {
        if ('invalid' in request) {
          context.dispatch = { refusal: invalidRequestResponse(request.invalid, requestIdOf(event)) };
          return;
        }
        if (invocation) invocation.logKeys.clientId = request.principal.clientId;
        context.dispatch = { operation: endpoint.operation, request };
      };
      // Only a form body is parsed asynchronously; the rest stays off the promise machinery.
      const request = endpoint.parse(event, context);
      return request instanceof Promise ? request.then(dispatch) : dispatch(request);
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
        request.response = {
          statusCode: 304,
          headers: { etag, 'x-request-id': requestIdOf(event) },
          body: '',
        };
      }
    },
  };
}

/** onError: every error becomes problem+json (error-mapping.ts) with the request id; nothing escapes to API Gateway. */
export function problemErrors(): HttpMiddleware {
  return {
    onError: (request) => {
      request.response = errorResponse(request.error, requestIdOf(request.event));
    },
  };
}
