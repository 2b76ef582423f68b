import type { ApiRequest } from './request';
import { created, ifMatch, noContent, ok } from './responses';

/** The use cases of an entity that is created, read, changed under If-Match and deleted by its id. */
export interface EntityUseCases<T extends { id: string }, C, P> {
  create(input: C): Promise<T>;
  get(id: string): Promise<T>;
  update(id: string, patch: P, precondition: (current: T) => boolean): Promise<T>;
  delete(id: string): Promise<void>;
}

/**
 * The create, get, update and delete operations of an entity at `path` (the brands' and models' own), with its id
 * in the path parameter `idParam`: 201 with its Location, 200 with the representation, 204.
 */
export function entityOperations<T extends { id: string }, C, P, K extends string>(
  entity: EntityUseCases<T, C, P>,
  path: string,
  idParam: K,
) {
  type ById<B = unknown> = ApiRequest<Record<K, string>, unknown, B>;
  return {
    create: async ({ body }: ApiRequest<unknown, unknown, C>) => {
      const item = await entity.create(body);
      return created(item, `${path}/${item.id}`);
    },
    get: async ({ params }: ById) => ok(await entity.get(params[idParam])),
    update: async ({ params, body, headers }: ById<P>) =>
      ok(await entity.update(params[idParam], body, ifMatch(headers['if-match']))),
    delete: async ({ params }: ById) => {
      await entity.delete(params[idParam]);
      return noContent();
    },
  };
}
