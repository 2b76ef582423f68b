import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type FunctionName, type RouteSpec, routeKey } from '../route';
import type { FormReader } from './body';
import { etagOf } from './etag';
import {
  conditionalGet,
  type Endpoint,
  instrumentedHttp,
  lambdaLogContext,
  problemErrors,
  routeRequests,
} from './middlewares';
import { type RequestOf, requestParser } from './request';

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Operation<R extends RouteSpec> = (request: RequestOf<R>) => Promise<ApiResult>;

/** The operations a function must implement: exactly the route table's operations for that function. */
export type Operations<R extends RouteSpec, F extends FunctionName> = {
  [Route in R as Route['fn'] extends F ? Route['operationId'] : never]: Operation<Route>;
};

export interface ApiHandlerOptions {
  /** Reads the file part of a form: required by a route table with a `formFile` route, which alone bundles it. */
  readForm?: FormReader;
}

/**
 * Binds a route table once: the result makes the Lambda handler of one of its functions, typed so that a
 * missing or misspelt operation is a compile error.
 */
export function apiHandlerFactory<const T extends readonly RouteSpec[]>(
  routes: T,
  options: ApiHandlerOptions = {},
) {
  return <F extends FunctionName>(fn: F, operations: NoInfer<Operations<T[number], F>>) =>
    createApiHandler(routes, fn, operations as Record<string, Operation<RouteSpec>>, options);
}

/**
 * The Lambda handler of one function: routing and validation, then the operation, then conditional GET, with
 * every error mapped to problem+json, as flat middy middlewares; each call one invocation of the function
 * (its request id on every log line, its metrics published at its end).
 */
function createApiHandler(
  routes: readonly RouteSpec[],
  fn: FunctionName,
  operations: Record<string, Operation<RouteSpec>>,
  { readForm }: ApiHandlerOptions,
) {
  const endpoints = new Map<string, Endpoint>();
  for (const route of routes) {
    if (route.fn !== fn) continue;
    const operation = operations[route.operationId];
    if (!operation) throw new Error(`Function ${fn} has no operation ${route.operationId}`);
    if (route.formFile && !readForm) throw new Error(`${route.operationId} accepts a form: pass readForm`);
    const parse = requestParser(route, readForm);
    endpoints.set(routeKey(route.method, route.path), { operationId: route.operationId, operation, parse });
  }

  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ timeoutEarlyInMillis: 0 })
    .use(lambdaLogContext())
    .use(problemErrors())
    .use(conditionalGet())
    .use(routeRequests(endpoints))
    .handler(async (_event, { dispatch }) => {
      if (!dispatch) throw new Error('routeRequests did not run');
      if ('refusal' in dispatch) return dispatch.refusal;
      return toProxyResult(await dispatch.operation(dispatch.request), dispatch.request.requestId);
    });
  return instrumentedHttp(fn, handler);
}

/** A JSON body with the strong ETag of its exact bytes, or an empty one; the request id on both. */
function toProxyResult(result: ApiResult, requestId: string): APIGatewayProxyResult {
  const headers = { ...result.headers, 'x-request-id': requestId };
  if (result.body === undefined) return { statusCode: result.status, headers, body: '' };
  const body = JSON.stringify(result.body);
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', etag: etagOf(body), ...headers },
    body,
  };
}
