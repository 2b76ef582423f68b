import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { NotFoundError } from '../errors';
import { instrumented } from '../metrics';
import { currentInvocation, logger } from '../powertools';
import { RequestId } from '../request-id';
import type { CatalogBrand, CatalogModel, CatalogSource } from './catalog';

/**
 * The internal call of the stats service to the brand or model function: `{ op: 'get', id }` and the request
 * id of the call that needs the name, nothing else.
 * API Gateway only ever sends proxy events (with `httpMethod`, `headers`, `requestContext`, …), and the schema
 * is strict, so no event from API Gateway can parse as one: this entry cannot be reached from the API.
 */
export const CatalogRequest = z.strictObject({
  op: z.literal('get'),
  id: z.guid(),
  requestId: z.optional(RequestId),
});
export type CatalogRequest = z.infer<typeof CatalogRequest>;

export type CatalogFunction = 'brand' | 'model';
export interface CatalogReply<T> {
  item: T | null;
}

/** Proxy events have no `op` (a cheap first test on the hot path); the strict schema decides the rest. */
const isCatalogRequest = (event: object): event is CatalogRequest =>
  'op' in event && CatalogRequest.safeParse(event).success;

type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The brand or model function's one entry: proxy events go to the HTTP handler, internal lookups to `get`, as
 * an invocation of `service` (operation `catalogLookup`) whose log lines carry the caller's request id.
 */
export function catalogEntry<T>(service: string, http: HttpHandler, get: (id: string) => Promise<T>) {
  function entry(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult>;
  function entry(event: CatalogRequest, context: Context): Promise<CatalogReply<T>>;
  async function entry(
    event: APIGatewayProxyEvent | CatalogRequest,
    context: Context,
  ): Promise<APIGatewayProxyResult | CatalogReply<T>> {
    if (!isCatalogRequest(event)) return http(event, context);
    const { id, requestId } = event;
    return instrumented({ service, operation: 'catalogLookup', requestId }, async () => {
      try {
        const item = await get(id);
        logger.debug('Catalog lookup', { id, found: true });
        return { item };
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        logger.debug('Catalog lookup', { id, found: false });
        return { item: null };
      }
    });
  }
  return entry;
}

/** Calls the brand or model function with an internal lookup: in process locally, by Lambda Invoke in AWS. */
export type InvokeCatalog = (
  fn: CatalogFunction,
  request: CatalogRequest,
  signal: AbortSignal,
) => Promise<unknown>;

/**
 * Reads the catalog through its own functions, so other services never touch its tables. Each call carries the
 * current request id, so the catalog's log lines can be found from the request that needed the name.
 */
export class InternalCatalogSource implements CatalogSource {
  /** The shapes of the replies, built here: the brand and model functions, which only answer, never need them. */
  private readonly replies = {
    brand: z.object({ item: z.nullable(z.object({ id: z.string(), name: z.string() })) }),
    model: z.object({
      item: z.nullable(z.object({ id: z.string(), brandId: z.string(), name: z.string() })),
    }),
  };

  constructor(private readonly invoke: InvokeCatalog) {}

  async model(id: string, signal: AbortSignal): Promise<CatalogModel | null> {
    const reply = await this.invoke('model', lookupOf(id), signal);
    return this.replies.model.parse(reply).item;
  }

  async brand(id: string, signal: AbortSignal): Promise<CatalogBrand | null> {
    const reply = await this.invoke('brand', lookupOf(id), signal);
    return this.replies.brand.parse(reply).item;
  }
}

function lookupOf(id: string): CatalogRequest {
  const requestId = currentInvocation()?.requestId;
  return requestId === undefined ? { op: 'get', id } : { op: 'get', id, requestId };
}
