import type { CatalogDeps } from '../shared/aws-sql';
import { catalogEntry } from '../shared/catalog/internal';
import { apiHandlerFactory } from '../shared/http/api-handler';
import { entityOperations } from '../shared/http/entity-operations';
import { ok } from '../shared/http/responses';
import { Brands } from './brands';
import { brandRoutes } from './routes';

/** The brand function: the API's brand operations, and the stats service's internal name lookups. */
export function createBrandHandler({ sql, cursors }: CatalogDeps) {
  const brands = new Brands(sql, cursors);
  const operations = entityOperations(brands, '/brands', 'brandId');
  const http = apiHandlerFactory(brandRoutes)('brand', {
    createBrand: operations.create,
    listBrands: async ({ query }) => ok(await brands.list(query.limit, query.cursor)),
    getBrand: operations.get,
    updateBrand: operations.update,
    deleteBrand: operations.delete,
  });
  return catalogEntry('brand', http, async (id) => {
    const { id: brandId, name } = await brands.get(id);
    return { id: brandId, name };
  });
}
