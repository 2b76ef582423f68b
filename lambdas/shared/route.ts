import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { documented, Problem } from './schemas';

/** The Lambda functions of the API, one per entity. */
export type FunctionName = 'brand' | 'model' | 'sales' | 'stats' | 'partner';
export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
/** The least access a route needs; `admin` is accepted everywhere. */
export type AccessLevel = 'read' | 'write' | 'admin';

export const RESOURCE_SERVER = 'sales-api';
/** API Gateway's REST payload limit: no body is longer (6 MB through a synchronous Lambda invocation in AWS). */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** The OAuth2 scope that grants each access level. */
export const SCOPES: Record<AccessLevel, string> = {
  read: `${RESOURCE_SERVER}/read`,
  write: `${RESOURCE_SERVER}/write`,
  admin: `${RESOURCE_SERVER}/admin`,
};

export const SCOPE_DESCRIPTIONS: Record<AccessLevel, string> = {
  read: 'Read brands, models, sales and statistics',
  write: 'Create, change and delete brands, models and sales',
  admin: 'Every operation, including administrative ones',
};

/** Response headers the API sends, documented once each (lambdas/shared/openapi.ts). */
export type ResponseHeader =
  | 'ETag'
  | 'Location'
  | 'Retry-After'
  | 'WWW-Authenticate'
  | 'X-Request-Id'
  | 'RateLimit'
  | 'RateLimit-Policy';

export interface ResponseSpec {
  description: string;
  schema?: core.$ZodType;
  contentType?: string;
  /** Headers particular to this response; those that follow from its status are added by `responsesOf`. */
  headers?: readonly ResponseHeader[];
}

/** An OpenAPI tag: the entity a route belongs to. */
export interface Tag {
  name: string;
  description: string;
}

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** API Gateway resource path, e.g. `/brands/{brandId}`. */
  path: string;
  fn: FunctionName;
  access: AccessLevel;
  summary: string;
  tag: Tag;
  params?: core.$ZodType;
  query?: core.$ZodType;
  body?: core.$ZodType;
  /** Media type of the body; JSON unless stated. */
  bodyType?: 'application/json' | 'text/csv';
  /** A text body may also come as this file part of a `multipart/form-data` form (an upload from a browser). */
  formFile?: string;
  /** Request headers particular to the route; the conditional ones follow from its method (`requestHeadersOf`). */
  headers?: core.$ZodObject;
  /** The route's own responses; the ones that follow from its shape are added by `responsesOf`. */
  responses: Record<number, ResponseSpec>;
}

/** What a route table entry states: the function and tag come from its entity, the operation id from its key. */
export type RouteEntry = Omit<RouteSpec, 'operationId' | 'fn' | 'tag'> & { tag?: Tag };

type EntityRoutes<F extends FunctionName, E extends Record<string, RouteEntry>> = {
  [K in keyof E & string]: Omit<E[K], 'tag'> & { operationId: K; fn: F; tag: Tag };
}[keyof E & string][];

/**
 * The routes of one entity's function, keyed by operation id; `tag` is the entity's unless an entry names its own.
 * Keeps the literal operation ids, function and schema types for typed handlers.
 */
export function entityRoutes<const F extends FunctionName, const E extends Record<string, RouteEntry>>(
  fn: F,
  tag: Tag,
  entries: E,
): EntityRoutes<F, E> {
  return Object.entries(entries).map(([operationId, entry]) => ({
    tag,
    ...entry,
    operationId,
    fn,
  })) as EntityRoutes<F, E>;
}

/** OAuth2 scopes API Gateway accepts for a route (any one of them). */
export function acceptedScopes(access: AccessLevel): string[] {
  return access === 'admin' ? [SCOPES.admin] : [SCOPES[access], SCOPES.admin];
}

export const routeKey = (method: string, path: string) => `${method} ${path}`;

const etagHeader = (description: string) =>
  documented(z.optional(z.string().check(z.maxLength(4096))), { description });
const IfNoneMatch = z.object({ 'if-none-match': etagHeader('ETag from an earlier GET; 304 if unchanged') });
const IfMatch = z.object({ 'if-match': etagHeader('ETag from a GET; 412 if stale') });

/** Every GET answers 304 to a matching If-None-Match; every PATCH honours If-Match. */
export function requestHeadersOf(route: RouteSpec): core.$ZodObject | undefined {
  const conditional = route.method === 'GET' ? IfNoneMatch : route.method === 'PATCH' ? IfMatch : undefined;
  if (!conditional) return route.headers;
  return route.headers ? z.object({ ...route.headers._zod.def.shape, ...conditional.shape }) : conditional;
}

/** A problem+json response, for the errors particular to a route. */
export const problem = (description: string): ResponseSpec => ({
  description,
  schema: Problem,
  contentType: 'application/problem+json',
});

const COMMON: Record<number, ResponseSpec> = {
  400: problem('Malformed id, query, header or body'),
  401: { ...problem('Missing or invalid access token'), headers: ['WWW-Authenticate'] },
  403: problem('The token lacks the scope this operation needs'),
  429: { ...problem('Too many requests'), headers: ['Retry-After'] },
  500: problem('Something went wrong on our side; nothing is exposed'),
};

/**
 * A route's responses: its own, and those that follow from its shape (body, conditional headers, status): a JSON
 * success carries its ETag, a 503 says when to retry.
 */
export function responsesOf(route: RouteSpec): Record<number, ResponseSpec> {
  const headers = requestHeadersOf(route)?._zod.def.shape ?? {};
  const derived: Record<number, ResponseSpec> = { ...COMMON };
  if ('if-none-match' in headers) derived[304] = { description: 'Not modified', headers: ['ETag'] };
  if ('if-match' in headers) derived[412] = problem('If-Match is stale');
  if (route.body) derived[415] = problem(`The body is not ${mediaTypesOf(route).join(' or ')}`);
  const responses: Record<number, ResponseSpec> = { ...derived, ...route.responses };
  for (const [status, response] of Object.entries(responses)) {
    const implied = impliedHeaders(Number(status), response);
    if (implied.length > 0) {
      responses[Number(status)] = {
        ...response,
        headers: [...new Set([...(response.headers ?? []), ...implied])],
      };
    }
  }
  return responses;
}

function impliedHeaders(status: number, response: ResponseSpec): ResponseHeader[] {
  if (status === 503) return ['Retry-After'];
  const json = response.schema && (response.contentType ?? 'application/json') === 'application/json';
  return status < 300 && json ? ['ETag'] : [];
}

/** The object schema behind path or query parameters (possibly piped or lazy); undefined if there is none. */
export function objectOf(schema: core.$ZodType): core.$ZodObject | undefined {
  const def = schema._zod.def;
  if (def.type === 'object') return schema as core.$ZodObject;
  if (def.type === 'pipe') return objectOf((def as core.$ZodPipeDef).in);
  if (def.type === 'lazy') return objectOf((def as core.$ZodLazyDef).getter());
  return undefined;
}

/** The parameter names of a path or query schema: the keys of its object. */
export function parameterNamesOf(schema: core.$ZodType | undefined): string[] {
  if (!schema) return [];
  const object = objectOf(schema);
  if (!object) throw new Error('Parameters need an object schema');
  return Object.keys(object._zod.def.shape);
}

/** The media types a route's body may come in. */
export function mediaTypesOf(route: RouteSpec): string[] {
  const bodyType = route.bodyType ?? 'application/json';
  return route.formFile ? [bodyType, 'multipart/form-data'] : [bodyType];
}
