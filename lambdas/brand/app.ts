import { catalogEntry } from '../shared/catalog/internal';
import { apiHandlerFactory } from '../shared/http/api-handler';
import { created, ifMatch, noContent, ok } from '../shared/http/responses';
import type { CursorCodec } from '../shared/pagination';
import type { Sql } from '../shared/sql/port';
import { Brands } from './brands';
import { brandRoutes } from './routes';

export interface BrandDeps {
  sql: Sql;
  cursors: CursorCodec;
}

/** The brand function: the API's brand operations, and the stats service's internal name lookups. */
export function createBrandHandler({ sql, cursors }: BrandDeps) {
  const brands = new Brands(sql, cursors);
  const http = apiHandlerFactory(brandRoutes)('brand', {
    createBrand: async ({ body }) => {
      const brand = await brands.create(body);
      return created(brand, `/brands/${brand.id}`);
    },
    listBrands: async ({ query }) => ok(await brands.list(query.limit, query.cursor)),
    getBrand: async ({ params }) => ok(await brands.get(params.brandId)),
    updateBrand: async ({ params, body, headers }) =>
      ok(await brands.update(params.brandId, body, ifMatch(headers['if-match']))),
    deleteBrand: async ({ params }) => {
      await brands.delete(params.brandId);
      return noContent();
    },
  });
  return catalogEntry(http, async (id) => {
    const { id: brandId, name } = await brands.get(id);
    return { id: brandId, name };
  });
}
