import type { CatalogDeps } from '../shared/aws-sql';
import { catalogEntry } from '../shared/catalog/internal';
import { apiHandlerFactory } from '../shared/http/api-handler';
import { entityOperations } from '../shared/http/entity-operations';
import { ok } from '../shared/http/responses';
import { Models } from './models';
import { modelRoutes } from './routes';

/** The model function: the API's model operations, and the stats service's internal name lookups. */
export function createModelHandler({ sql, cursors }: CatalogDeps) {
  const models = new Models(sql, cursors);
  const operations = entityOperations(models, '/models', 'modelId');
  const http = apiHandlerFactory(modelRoutes)('model', {
    createModel: operations.create,
    listModels: async ({ query }) => ok(await models.list(query.limit, query.cursor, query.brandId)),
    getModel: operations.get,
    updateModel: operations.update,
    deleteModel: operations.delete,
  });
  return catalogEntry('model', http, async (id) => {
    const { id: modelId, brandId, name } = await models.get(id);
    return { id: modelId, brandId, name };
  });
}
