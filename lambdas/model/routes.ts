import { entityRoutes, problem } from '../shared/route';
import { MODELS_TAG } from '../tags';
import { Model, ModelCreate, ModelListQuery, ModelPage, ModelParams, ModelPatch } from './schemas';

/** The routes of the model function (its part of the route table, lambdas/routes.ts). */
export const modelRoutes = entityRoutes('model', MODELS_TAG, {
  createModel: {
    method: 'POST',
    path: '/models',
    access: 'write',
    summary: 'Create a model of a brand',
    body: ModelCreate,
    responses: {
      201: { description: 'Created', schema: Model, headers: ['Location'] },
      409: problem('Name taken within the brand'),
      422: problem('brandId names no brand'),
    },
  },
  listModels: {
    method: 'GET',
    path: '/models',
    access: 'read',
    summary: 'List models by name, optionally of one brand (keyset pagination)',
    query: ModelListQuery,
    responses: { 200: { description: 'A page of models', schema: ModelPage } },
  },
  getModel: {
    method: 'GET',
    path: '/models/{modelId}',
    access: 'read',
    summary: 'Get a model',
    params: ModelParams,
    responses: { 200: { description: 'The model', schema: Model }, 404: problem('No such model') },
  },
  updateModel: {
    method: 'PATCH',
    path: '/models/{modelId}',
    access: 'write',
    summary: 'Change a model',
    params: ModelParams,
    body: ModelPatch,
    responses: {
      200: { description: 'The changed model', schema: Model },
      404: problem('No such model'),
      409: problem('Name taken within the brand'),
    },
  },
  deleteModel: {
    method: 'DELETE',
    path: '/models/{modelId}',
    access: 'write',
    summary: 'Delete a model without sales',
    params: ModelParams,
    responses: {
      204: { description: 'Deleted' },
      404: problem('No such model'),
      409: problem('The model still has sales'),
    },
  },
});
