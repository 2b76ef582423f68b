import { entityRoutes, problem } from '../shared/route';
import { BRANDS_TAG } from '../tags';
import { Brand, BrandCreate, BrandListQuery, BrandPage, BrandParams, BrandPatch } from './schemas';

/** The routes of the brand function (its part of the route table, lambdas/routes.ts). */
export const brandRoutes = entityRoutes('brand', BRANDS_TAG, {
  createBrand: {
    method: 'POST',
    path: '/brands',
    access: 'write',
    summary: 'Create a brand',
    body: BrandCreate,
    responses: {
      201: { description: 'Created', schema: Brand, headers: ['Location'] },
      409: problem('Name taken'),
    },
  },
  listBrands: {
    method: 'GET',
    path: '/brands',
    access: 'read',
    summary: 'List brands by name (keyset pagination)',
    query: BrandListQuery,
    responses: { 200: { description: 'A page of brands', schema: BrandPage } },
  },
  getBrand: {
    method: 'GET',
    path: '/brands/{brandId}',
    access: 'read',
    summary: 'Get a brand',
    params: BrandParams,
    responses: { 200: { description: 'The brand', schema: Brand }, 404: problem('No such brand') },
  },
  updateBrand: {
    method: 'PATCH',
    path: '/brands/{brandId}',
    access: 'write',
    summary: 'Change a brand',
    params: BrandParams,
    body: BrandPatch,
    responses: {
      200: { description: 'The changed brand', schema: Brand },
      404: problem('No such brand'),
      409: problem('Name taken'),
    },
  },
  deleteBrand: {
    method: 'DELETE',
    path: '/brands/{brandId}',
    access: 'write',
    summary: 'Delete a brand without models',
    params: BrandParams,
    responses: {
      204: { description: 'Deleted' },
      404: problem('No such brand'),
      409: problem('The brand still has models'),
    },
  },
});
