import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { problemResponse } from '../lambdas/shared/http/problem';
import { proxyEvent } from '../lambdas/shared/http/proxy-event';
import { acceptedScopes, type FunctionName, type RouteSpec } from '../lambdas/shared/route';
import { AccessDeniedError, type LocalAuthority, OAuthError } from './auth';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * API Gateway's REST payload limit. In AWS a synchronous Lambda invocation also caps the whole event at 6 MB,
 * so imports larger than that must be split there (README).
 */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  routes: readonly RouteSpec[];
  /** Every function of the route table: a function without its handler is a compile error, not a 500. */
  handlers: Record<FunctionName, LambdaHandler>;
  auth: LocalAuthority;
  /** Unauthenticated GET pages outside the API (docs, openapi.yaml); undefined when it has no such page. */
  pages?: (pathname: string) => Promise<RawResponse | undefined>;
  log?: (line: string) => void;
  /** Per-partner limits (the usage plans of the partner's tier): admits a request or says why not. */
  admit?: (clientId: string, apiKey: string | undefined) => Admission;
}

/** The gateway's verdict on one authenticated request, with the headers every answer carries. */
export type Admission =
  | { refused?: undefined; headers: Record<string, string> }
  | { refused: 'rate' | 'quota'; retryAfterSeconds: number; headers: Record<string, string> }
  | { refused: 'api-key'; detail: string; headers?: undefined };

/** A response as the gateway writes it: an API function's result, a docs page or a token. */
export interface RawResponse {
  statusCode: number;
  headers?: APIGatewayProxyResult['headers'];
  body: string | Buffer;
}

export interface CompiledRoute {
  route: RouteSpec;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

/**
 * Emulates API Gateway (REST, proxy integration) with a Cognito authorizer in front of the same Lambda
 * handlers the CDK stack deploys: route matching (404/405), token and scope checks (401/403), the event shape.
 */
export function createGateway(options: GatewayOptions) {
  const compiled = compileRoutes(options.routes);
  const { log } = options;

  return async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const requestId = randomUUID();
    const result = await handle(request, requestId).catch((error: unknown) => {
      log?.(`error ${requestId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return problemResponse({ status: 500, type: 'internal', title: 'Internal Server Error' }, requestId);
    });
    // The function's id wins: it is the caller's X-Request-Id or traceparent when valid (request-id.ts).
    const answeredId = String(result.headers?.['x-request-id'] ?? requestId);
    if (!response.headersSent) {
      response.writeHead(result.statusCode, { ...result.headers, 'x-request-id': answeredId });
      response.end(result.body);
    }
    log?.(
      `${request.method} ${request.url} ${result.statusCode} ${(performance.now() - started).toFixed(1)}ms ${answeredId}`,
    );
  };

  async function handle(request: IncomingMessage, requestId: string): Promise<RawResponse> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (method === 'POST' && url.pathname === '/oauth2/token') return tokenEndpoint(request);
    if (method === 'GET' && url.pathname === '/.well-known/jwks.json') return json(200, options.auth.jwks);
    const page = method === 'GET' ? await options.pages?.(url.pathname) : undefined;
    if (page) return page;

    const candidates = compiled.filter((entry) => entry.pattern.test(url.pathname));
    const resource = candidates[0]?.route.path;
    const match = candidates.find((entry) => entry.route.path === resource && entry.route.method === method);
    if (!match) {
      if (!resource) {
        return problemResponse(
          { status: 404, type: 'not-found', title: 'Not Found', detail: `No route ${url.pathname}` },
          requestId,
        );
      }
      const allow = candidates
        .filter((entry) => entry.route.path === resource)
        .map((entry) => entry.route.method);
      return problemResponse(
        {
          status: 405,
          type: 'method-not-allowed',
          title: 'Method Not Allowed',
          detail: `${method} is not allowed on ${resource}`,
          headers: { allow: allow.join(', ') },
        },
        requestId,
      );
    }

    let claims: JWTPayload;
    try {
      claims = await options.auth.authorize(
        request.headers.authorization,
        acceptedScopes(match.route.access),
      );
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      return deniedResponse(error, requestId);
    }

    const admission = options.admit?.(String(claims.client_id), headerOf(request, 'x-api-key'));
    const refusal = admission && refusalOf(admission, requestId);
    if (refusal) return refusal;

    const body = await readBody(request);
    if (body === undefined) {
      return problemResponse(
        {
          status: 413,
          type: 'payload-too-large',
          title: 'Payload Too Large',
          detail: `The body exceeds ${MAX_BODY_BYTES} bytes`,
        },
        requestId,
      );
    }
    const pathParameters = pathParametersOf(match, url.pathname);
    if (pathParameters === undefined) {
      return problemResponse(
        { status: 400, type: 'validation-error', title: 'Bad Request', detail: 'Malformed path' },
        requestId,
      );
    }
    const handler = options.handlers[match.route.fn];
    const event = toEvent({ request, url, route: match.route, pathParameters, claims, body, requestId });
    const result = await handler(event, lambdaContext(match.route.fn, requestId));
    return admission?.headers ? { ...result, headers: { ...result.headers, ...admission.headers } } : result;
  }

  async function tokenEndpoint(request: IncomingMessage): Promise<APIGatewayProxyResult> {
    const body = (await readBody(request)) ?? '';
    try {
      const token = await options.auth.issueToken(new URLSearchParams(body), request.headers.authorization);
      return json(200, token, { 'cache-control': 'no-store' });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return json(error.status, { error: error.error, error_description: error.message });
    }
  }
}

/** 401 (with `WWW-Authenticate`) or 403 problem+json for a refused token, as API Gateway's authorizer answers. */
export function deniedResponse(error: AccessDeniedError, requestId: string): APIGatewayProxyResult {
  return problemResponse(
    error.status === 401
      ? {
          status: 401,
          type: 'unauthorized',
          title: 'Unauthorized',
          detail: error.message,
          headers: { 'www-authenticate': 'Bearer' },
        }
      : { status: 403, type: 'forbidden', title: 'Forbidden', detail: error.message },
    requestId,
  );
}

/** 403 for a missing or foreign API key (as API Gateway answers), 429 with Retry-After over a limit. */
function refusalOf(admission: Admission, requestId: string): APIGatewayProxyResult | undefined {
  if (admission.refused === 'api-key')
    return problemResponse(
      { status: 403, type: 'forbidden', title: 'Forbidden', detail: admission.detail },
      requestId,
    );
  if (admission.refused === undefined) return undefined;
  return problemResponse(
    {
      status: 429,
      type: admission.refused === 'quota' ? 'quota-exceeded' : 'too-many-requests',
      title: 'Too Many Requests',
      detail:
        admission.refused === 'quota'
          ? "This partner used up its tier's requests for today (UTC); retry after the indicated seconds"
          : "This partner exceeded its tier's request rate; retry after the indicated seconds",
      headers: { ...admission.headers, 'retry-after': String(admission.retryAfterSeconds) },
    },
    requestId,
  );
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Route matchers in API Gateway's order of preference: literal path segments before variables. */
export function compileRoutes(routes: readonly RouteSpec[]): CompiledRoute[] {
  return routes
    .map((route) => {
      const names: string[] = [];
      const segments = route.path.split('/').slice(1);
      const source = segments
        .map((segment) => {
          const name = /^\{(\w+)\}$/.exec(segment)?.[1];
          if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(name);
          return '([^/]+)';
        })
        .join('/');
      const literalSegments = segments.filter((segment) => !segment.startsWith('{')).length;
      return { route, pattern: new RegExp(`^/${source}$`), names, literalSegments };
    })
    .sort((a, b) => b.literalSegments - a.literalSegments); // API Gateway prefers literal paths to variables
}

function pathParametersOf(entry: CompiledRoute, pathname: string): Record<string, string> | null | undefined {
  const values = entry.pattern.exec(pathname)?.slice(1) ?? [];
  if (entry.names.length === 0) return null;
  try {
    return Object.fromEntries(
      entry.names.map((name, index) => [name, decodeURIComponent(values[index] ?? '')]),
    );
  } catch {
    return undefined;
  }
}

/** Reads the body as UTF-8 text; undefined when it exceeds API Gateway's limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 6.3): most GETs skip the stream.
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
    request.resume();
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      request.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toEvent(input: {
  request: IncomingMessage;
  url: URL;
  route: RouteSpec;
  pathParameters: Record<string, string> | null;
  claims: JWTPayload;
  body: string;
  requestId: string;
}): APIGatewayProxyEvent {
  const { request, url, route, claims } = input;
  const headers: [string, string][] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    headers.push([request.rawHeaders[i] ?? '', request.rawHeaders[i + 1] ?? '']);
  }
  return proxyEvent({
    method: route.method,
    resource: route.path,
    path: url.pathname,
    pathParameters: input.pathParameters,
    query: url.searchParams,
    headers,
    body: input.body === '' ? null : input.body,
    // API Gateway hands Cognito claims to the integration as strings.
    claims: Object.fromEntries(Object.entries(claims).map(([key, value]) => [key, String(value)])),
    requestId: input.requestId,
    stage: 'local',
    sourceIp: request.socket.remoteAddress,
    userAgent: request.headers['user-agent'],
  });
}

export function lambdaContext(fn: FunctionName | 'docs', requestId: string): Context {
  const deadline = Date.now() + 29_000; // API Gateway's integration timeout
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${fn}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/local-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
