import { z } from 'zod';
import { Brand, BrandCreate, BrandListQuery, BrandPage, BrandParams, BrandPatch } from './brand/schemas';
import { Model, ModelCreate, ModelListQuery, ModelPage, ModelParams, ModelPatch } from './model/schemas';
import { type RouteSpec, route } from './shared/route';
import { Problem } from './shared/schemas';

const problem = (description: string) => ({
  description,
  schema: Problem,
  contentType: 'application/problem+json',
});
const IfMatch = z.object({
  'if-match': z.string().optional().meta({ description: 'ETag from a GET; 412 if stale' }),
});
const IfNoneMatch = z.object({
  'if-none-match': z.string().optional().meta({ description: 'ETag from an earlier GET; 304 if unchanged' }),
});

const common = {
  400: problem('Malformed id, query or body'),
  401: problem('Missing or invalid access token'),
  403: problem('The token lacks the scope this operation needs'),
  429: problem('Too many requests'),
};

/** The single source of truth for the API: drives the CDK routes, the local gateway and openapi.yaml. */
export const routes = [
  route({
    operationId: 'createBrand',
    method: 'POST',
    path: '/brands',
    fn: 'brand',
    scope: 'write',
    tag: 'Brands',
    summary: 'Create a brand',
    body: BrandCreate,
    responses: { 201: { description: 'Created', schema: Brand }, ...common, 409: problem('Name taken') },
  }),
  route({
    operationId: 'listBrands',
    method: 'GET',
    path: '/brands',
    fn: 'brand',
    scope: 'read',
    tag: 'Brands',
    summary: 'List brands by name (keyset pagination)',
    query: BrandListQuery,
    responses: { 200: { description: 'A page of brands', schema: BrandPage }, ...common },
  }),
  route({
    operationId: 'getBrand',
    method: 'GET',
    path: '/brands/{brandId}',
    fn: 'brand',
    scope: 'read',
    tag: 'Brands',
    summary: 'Get a brand',
    params: BrandParams,
    headers: IfNoneMatch,
    responses: {
      200: { description: 'The brand', schema: Brand },
      304: { description: 'Not modified' },
      ...common,
      404: problem('No such brand'),
    },
  }),
  route({
    operationId: 'updateBrand',
    method: 'PATCH',
    path: '/brands/{brandId}',
    fn: 'brand',
    scope: 'write',
    tag: 'Brands',
    summary: 'Change a brand',
    params: BrandParams,
    body: BrandPatch,
    headers: IfMatch,
    responses: {
      200: { description: 'The changed brand', schema: Brand },
      ...common,
      404: problem('No such brand'),
      409: problem('Name taken'),
      412: problem('If-Match is stale'),
    },
  }),
  route({
    operationId: 'deleteBrand',
    method: 'DELETE',
    path: '/brands/{brandId}',
    fn: 'brand',
    scope: 'write',
    tag: 'Brands',
    summary: 'Delete a brand without models',
    params: BrandParams,
    responses: {
      204: { description: 'Deleted' },
      ...common,
      404: problem('No such brand'),
      409: problem('The brand still has models'),
    },
  }),
  route({
    operationId: 'createModel',
    method: 'POST',
    path: '/models',
    fn: 'model',
    scope: 'write',
    tag: 'Models',
    summary: 'Create a model of a brand',
    body: ModelCreate,
    responses: {
      201: { description: 'Created', schema: Model },
      ...common,
      422: problem('brandId names no brand'),
      409: problem('Name taken within the brand'),
    },
  }),
  route({
    operationId: 'listModels',
    method: 'GET',
    path: '/models',
    fn: 'model',
    scope: 'read',
    tag: 'Models',
    summary: 'List models by name, optionally of one brand (keyset pagination)',
    query: ModelListQuery,
    responses: { 200: { description: 'A page of models', schema: ModelPage }, ...common },
  }),
  route({
    operationId: 'getModel',
    method: 'GET',
    path: '/models/{modelId}',
    fn: 'model',
    scope: 'read',
    tag: 'Models',
    summary: 'Get a model',
    params: ModelParams,
    headers: IfNoneMatch,
    responses: {
      200: { description: 'The model', schema: Model },
      304: { description: 'Not modified' },
      ...common,
      404: problem('No such model'),
    },
  }),
  route({
    operationId: 'updateModel',
    method: 'PATCH',
    path: '/models/{modelId}',
    fn: 'model',
    scope: 'write',
    tag: 'Models',
    summary: 'Change a model',
    params: ModelParams,
    body: ModelPatch,
    headers: IfMatch,
    responses: {
      200: { description: 'The changed model', schema: Model },
      ...common,
      404: problem('No such model'),
      409: problem('Name taken within the brand'),
      412: problem('If-Match is stale'),
    },
  }),
  route({
    operationId: 'deleteModel',
    method: 'DELETE',
    path: '/models/{modelId}',
    fn: 'model',
    scope: 'write',
    tag: 'Models',
    summary: 'Delete a model without sales',
    params: ModelParams,
    responses: {
      204: { description: 'Deleted' },
      ...common,
      404: problem('No such model'),
      409: problem('The model still has sales'),
    },
  }),
] satisfies RouteSpec[];

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];
