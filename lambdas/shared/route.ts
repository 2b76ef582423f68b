import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { documented } from './schemas';

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
  /** Headers particular to this response; those that follow from its status are added by `responsesOf` (openapi.ts). */
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
  /** The route's own responses; the ones that follow from its shape are added by `responsesOf` (openapi.ts). */
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

/** Every operation a partner calls is metered by its API key (usage plans); partner admin is for operators. */
export const requiresApiKey = (route: RouteSpec) => route.fn !== 'partner';

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

export const PROBLEM_JSON = 'application/problem+json';

/** A problem+json response, for the errors particular to a route (documented with the Problem schema). */
export const problem = (description: string): ResponseSpec => ({ description, contentType: PROBLEM_JSON });

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
