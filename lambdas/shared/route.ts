import type { z } from 'zod';

/** The Lambda functions of the API, one per entity. */
export type FunctionName = 'brand' | 'model' | 'sales' | 'stats';
export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
/** The least scope a route needs; `admin` is accepted everywhere. */
export type Scope = 'read' | 'write' | 'admin';

export const RESOURCE_SERVER = 'sales-api';
export const SCOPES: Record<Scope, string> = {
  read: `${RESOURCE_SERVER}/read`,
  write: `${RESOURCE_SERVER}/write`,
  admin: `${RESOURCE_SERVER}/admin`,
};

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** API Gateway resource path, e.g. `/brands/{brandId}`. */
  path: string;
  fn: FunctionName;
  scope: Scope;
  summary: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Media type of the body; JSON unless stated. */
  bodyType?: 'application/json' | 'text/csv';
  /** Request headers the route reads, documented in OpenAPI. */
  headers?: z.ZodObject;
  responses: Record<number, ResponseSpec>;
}

/** Declares a route, keeping its literal operation id, function and schema types for typed handlers. */
export function route<const S extends RouteSpec>(spec: S): S {
  return spec;
}

/** OAuth2 scopes API Gateway accepts for a route (any one of them). */
export function acceptedScopes(scope: Scope): string[] {
  return scope === 'admin' ? [SCOPES.admin] : [SCOPES[scope], SCOPES.admin];
}

export const routeKey = (method: string, path: string) => `${method} ${path}`;
