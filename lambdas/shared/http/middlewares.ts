import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../powertools';
import { routeKey } from '../route';
import type { ApiResult } from './api-handler';
import { errorResponse, invalidRequestResponse } from './error-mapping';
import { etagMatches } from './etag';
import { HttpProblem } from './http-problem';
import { type ApiRequest, headerOf, type InvalidRequest } from './request';

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
 * requests are these). Adds request id, client and operation to the logs in one call: each call costs a few µs
 * of environment reads in Powertools.
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
      const dispatch = (request: ApiRequest | InvalidRequest) => {
        if ('invalid' in request) {
          // Nothing is logged for a 400 (its body and header carry the request id): no log keys to add.
          context.dispatch = {
            refusal: invalidRequestResponse(request.invalid, event.requestContext.requestId),
          };
          return;
        }
        const { requestId, principal } = request;
        logger.appendKeys({ requestId, clientId: principal.clientId, operation: endpoint.operationId });
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
        const requestId = event.requestContext.requestId;
        request.response = { statusCode: 304, headers: { etag, 'x-request-id': requestId }, body: '' };
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
