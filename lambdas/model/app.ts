import { catalogEntry } from '../shared/catalog/internal';
import { apiHandlerFactory } from '../shared/http/api-handler';
import { created, ifMatch, noContent, ok } from '../shared/http/responses';
import type { CursorCodec } from '../shared/pagination';
import type { Sql } from '../shared/sql/port';
import { Models } from './models';
import { modelRoutes } from './routes';

export interface ModelDeps {
  sql: Sql;
  cursors: CursorCodec;
}

/** The model function: the API's model operations, and the stats service's internal name lookups. */
export function createModelHandler({ sql, cursors }: ModelDeps) {
  const models = new Models(sql, cursors);
  const http = apiHandlerFactory(modelRoutes)('model', {
    createModel: async ({ body }) => {
      const model = await models.create(body);
      return created(model, `/models/${model.id}`);
    },
    listModels: async ({ query }) => ok(await models.list(query.limit, query.cursor, query.brandId)),
    getModel: async ({ params }) => ok(await models.get(params.modelId)),
    updateModel: async ({ params, body, headers }) =>
      ok(await models.update(params.modelId, body, ifMatch(headers['if-match']))),
    deleteModel: async ({ params }) => {
      await models.delete(params.modelId);
      return noContent();
    },
  });
  return catalogEntry(http, async (id) => {
    const { id: modelId, brandId, name } = await models.get(id);
    return { id: modelId, brandId, name };
  });
}
