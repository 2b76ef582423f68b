import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type * as core from 'zod/v4/core';
import { _safeParse, $ZodError } from 'zod/v4/core';
import type { FieldIssue } from '../errors';
import { chooseRequestId } from '../request-id';
import { parameterNamesOf, type RouteSpec, requestHeadersOf } from '../route';
import { type FormReader, readBody } from './body';

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

/**
 * A request with invalid fields: the parser returns it instead of throwing, so the common 400 costs no
 * exception and no stack trace (a few µs per request); the handler answers it as problem+json.
 */
export interface InvalidRequest {
  invalid: FieldIssue[];
}

type Input<T> = T extends core.$ZodType ? core.output<T> : undefined;
export type RequestOf<R extends RouteSpec> = ApiRequest<
  Input<R['params']>,
  Input<R['query']>,
  Input<R['body']>
>;

/**
 * The parser of one route: validates an API Gateway REST proxy event against the route's schemas (the conditional
 * headers its method implies included), naming every offending field at once. One rule for query strings on
 * every route: each parameter at most once, and only those the route knows. Synchronous unless the body is a form.
 */
export function requestParser(route: RouteSpec, readForm?: FormReader) {
  const headerSchema = requestHeadersOf(route);
  const queryNames = new Set(parameterNamesOf(route.query));
  type Parsed = ApiRequest | InvalidRequest;
  return (event: APIGatewayProxyEvent, lambdaContext: Context): Parsed | Promise<Parsed> => {
    const headers = lowerCaseKeys(event.headers ?? {});
    const parse = (rawBody: unknown): Parsed => {
      const issues: FieldIssue[] = [];
      const params = validate(route.params, event.pathParameters ?? {}, 'path', issues);
      const query = validate(route.query, knownQuery(event, queryNames, issues), 'query', issues);
      validate(headerSchema, headers, 'header', issues);
      const body = route.body ? validate(route.body, rawBody, 'body', issues) : undefined;
      if (issues.length > 0) return { invalid: issues };
      return {
        params,
        query,
        body,
        headers,
        principal: principalOf(event),
        requestId: chooseRequestId(
          headers['x-request-id'],
          headers.traceparent,
          event.requestContext.requestId,
        ),
        lambdaContext,
      };
    };
    if (!route.body) return parse(undefined);
    const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
    const body = readBody(route, raw, headers['content-type'], readForm);
    return body instanceof Promise ? body.then(parse) : parse(body);
  };
}

/** The query parameters the route knows, each sent once; the others are issues. */
function knownQuery(event: APIGatewayProxyEvent, known: ReadonlySet<string>, issues: FieldIssue[]) {
  const query: Record<string, string> = Object.create(null);
  if (!event.queryStringParameters && !event.multiValueQueryStringParameters) return query;
  const single = event.queryStringParameters ?? {};
  const values: Record<string, string[] | undefined> =
    event.multiValueQueryStringParameters ??
    Object.fromEntries(Object.entries(single).map(([name, value]) => [name, [value ?? '']]));
  for (const name in values) {
    const all = values[name] ?? [];
    if (!known.has(name)) issues.push({ path: `query.${name}`, message: 'is not a known field' });
    else if (all.length > 1) issues.push({ path: `query.${name}`, message: 'is repeated; send it once' });
    else query[name] = all[0] ?? '';
  }
  return query;
}

/** A request header by its case-insensitive name (API Gateway passes names as the client sent them). */
export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const key in event.headers) {
    if (key.toLowerCase() === name) return event.headers[key];
  }
  return undefined;
}

/** The request id of an event: the caller's valid X-Request-Id or traceparent, else API Gateway's (request-id.ts). */
export function requestIdOf(event: APIGatewayProxyEvent): string {
  return chooseRequestId(
    headerOf(event, 'x-request-id'),
    headerOf(event, 'traceparent'),
    event.requestContext.requestId,
  );
}

/**
 * zod's safeParse with a plain error object: an Error subclass would capture a stack trace no one reads. Imported
 * from zod's core by name: classic zod's `z.core` as a namespace value would bundle every locale (330 KB).
 */
const safeParse = _safeParse($ZodError);

function validate(
  schema: core.$ZodType | undefined,
  input: unknown,
  where: string,
  issues: FieldIssue[],
): unknown {
  if (!schema) return undefined;
  // reportInput: without it zod 4 leaves `issue.input` out, and toFieldIssues calls every wrong type "is required".
  const result = safeParse(schema, input, { reportInput: true });
  if (result.success) return result.data;
  issues.push(...result.error.issues.flatMap((issue) => toFieldIssues(issue, where)));
  return undefined;
}

/** One field issue per offending field, with paths like `body.sales[3].unitPrice`. */
export function toFieldIssues(issue: core.$ZodIssue, where: string): FieldIssue[] {
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
