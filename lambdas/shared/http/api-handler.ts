import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type Route, routes } from '../../routes';
import { logger } from '../powertools';
import { type FunctionName, routeKey } from '../route';
import { errorResponse } from './error-mapping';
import { etagMatches, etagOf } from './etag';
import { HttpProblem } from './http-problem';
import { parseRequest, type RequestOf } from './request';

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Operation<R extends Route> = (request: RequestOf<R>) => Promise<ApiResult>;

/** The operations a function must implement: exactly the route table's operations for that function. */
export type Operations<F extends FunctionName> = {
  [R in Route as R['fn'] extends F ? R['operationId'] : never]: Operation<R>;
};

/**
 * The Lambda handler of one entity: finds the route by API Gateway's resource and method, validates the
 * request against the route's schemas, runs the operation and maps errors to problem+json in one place.
 */
export function createApiHandler<F extends FunctionName>(fn: F, operations: NoInfer<Operations<F>>) {
  const table = new Map<string, { route: Route; operation: Operation<Route> }>();
  for (const route of routes) {
    if (route.fn !== fn) continue;
    const operation = (operations as Record<string, Operation<Route>>)[route.operationId];
    if (!operation) throw new Error(`Function ${fn} has no operation ${route.operationId}`);
    table.set(routeKey(route.method, route.path), { route, operation });
  }

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const requestId = event.requestContext.requestId;
      logger.appendKeys({ requestId });
      try {
        const entry = table.get(routeKey(event.httpMethod, event.resource));
        if (!entry) {
          throw new HttpProblem({
            status: 404,
            type: 'not-found',
            title: 'Not Found',
            detail: 'No such route',
          });
        }
        const request = parseRequest(entry.route, event, context);
        logger.appendKeys({ clientId: request.principal.clientId, operation: entry.route.operationId });
        const result = await entry.operation(request as RequestOf<Route>);
        return toResponse(result, request.headers['if-none-match'], event.httpMethod);
      } catch (error) {
        return errorResponse(error, requestId);
      }
    });
}

function toResponse(
  result: ApiResult,
  ifNoneMatch: string | undefined,
  method: string,
): APIGatewayProxyResult {
  if (result.body === undefined)
    return { statusCode: result.status, headers: result.headers ?? {}, body: '' };
  const body = JSON.stringify(result.body);
  const etag = etagOf(body);
  const headers = { 'content-type': 'application/json', etag, ...result.headers };
  if (method === 'GET' && result.status === 200 && etagMatches(ifNoneMatch, etag)) {
    return { statusCode: 304, headers: { etag }, body: '' };
  }
  return { statusCode: result.status, headers, body };
}
