import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { FieldIssue } from '../errors';
import { ValidationError } from '../errors';
import { type RouteSpec, requestHeadersOf } from '../route';
import { HttpProblem } from './http-problem';

/** Who is calling, from the access token's claims (API Gateway's Cognito authorizer or the local gateway). */
export interface Principal {
  clientId: string;
  scopes: string[];
}

export interface ApiRequest<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  principal: Principal;
  requestId: string;
  /** The invocation's Lambda context (remaining time, request id). */
  lambdaContext: Context;
}

type Input<T> = T extends z.ZodType ? z.output<T> : undefined;
export type RequestOf<R extends RouteSpec> = ApiRequest<
  Input<R['params']>,
  Input<R['query']>,
  Input<R['body']>
>;

/**
 * The parser of one route: validates an API Gateway REST proxy event against the route's schemas (the conditional
 * headers its method implies included), naming every offending field at once.
 */
export function requestParser(route: RouteSpec) {
  const headerSchema = requestHeadersOf(route);
  return (event: APIGatewayProxyEvent, lambdaContext: Context): ApiRequest => {
    const headers = lowerCaseKeys(event.headers ?? {});
    const issues: FieldIssue[] = [];
    const params = validate(route.params, event.pathParameters ?? {}, 'path', issues);
    const query = validate(route.query, event.queryStringParameters ?? {}, 'query', issues);
    validate(headerSchema, headers, 'header', issues);
    const body = route.body
      ? validate(route.body, readBody(route, event, headers), 'body', issues)
      : undefined;
    if (issues.length > 0) throw new ValidationError('The request has invalid fields', issues);
    return {
      params,
      query,
      body,
      headers,
      principal: principalOf(event),
      requestId: event.requestContext.requestId,
      lambdaContext,
    };
  };
}

/** A request header by its case-insensitive name (API Gateway passes names as the client sent them). */
export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const key in event.headers) {
    if (key.toLowerCase() === name) return event.headers[key];
  }
  return undefined;
}

function readBody(
  route: RouteSpec,
  event: APIGatewayProxyEvent,
  headers: Record<string, string | undefined>,
) {
  const expected = route.bodyType ?? 'application/json';
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  const raw =
    event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (!raw)
    throw new ValidationError('The request needs a body', [
      { path: 'body', message: `expected ${expected}` },
    ]);
  const accepted =
    expected === 'application/json'
      ? mediaType === expected || !!mediaType?.endsWith('+json')
      : mediaType === expected;
  if (!accepted) {
    throw new HttpProblem({
      status: 415,
      type: 'unsupported-media-type',
      title: 'Unsupported Media Type',
      detail: `The body must be ${expected}, not ${mediaType ?? 'untyped'}`,
    });
  }
  if (expected !== 'application/json') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('The body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
  }
}

function validate(
  schema: z.ZodType | undefined,
  input: unknown,
  where: string,
  issues: FieldIssue[],
): unknown {
  if (!schema) return undefined;
  // reportInput: without it zod 4 leaves `issue.input` out, and toFieldIssues calls every wrong type "is required".
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  issues.push(...result.error.issues.flatMap((issue) => toFieldIssues(issue, where)));
  return undefined;
}

/** One field issue per offending field, with paths like `body.sales[3].unitPrice`. */
export function toFieldIssues(issue: z.core.$ZodIssue, where: string): FieldIssue[] {
  const base = formatPath(where, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath(base, [key]), message: 'is not a known field' }));
  }
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return [{ path: base, message }];
}

function formatPath(base: string, path: PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`),
    base,
  );
}

function principalOf(event: APIGatewayProxyEvent): Principal {
  const claims: Record<string, unknown> = event.requestContext.authorizer?.claims ?? {};
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { clientId, scopes };
}

function lowerCaseKeys(headers: Record<string, string | undefined>) {
  // A plain loop (this runs on every request); no prototype, so a header named `__proto__` stays data.
  const lower: Record<string, string | undefined> = Object.create(null);
  for (const name in headers) lower[name.toLowerCase()] = headers[name];
  return lower;
}
