import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { NotFoundError } from '../errors';
import type { CatalogBrand, CatalogModel, CatalogSource } from './catalog';

/**
 * The internal call of the stats service to the brand or model function: `{ op: 'get', id }`, nothing else.
 * API Gateway only ever sends proxy events (with `httpMethod`, `headers`, `requestContext`, …), and the schema
 * is strict, so no event from API Gateway can parse as one: this entry cannot be reached from the API.
 */
export const CatalogRequest = z.strictObject({ op: z.literal('get'), id: z.guid() });
export type CatalogRequest = z.infer<typeof CatalogRequest>;

export type CatalogFunction = 'brand' | 'model';
export interface CatalogReply<T> {
  item: T | null;
}

/** Proxy events have no `op` (a cheap first test on the hot path); the strict schema decides the rest. */
const isCatalogRequest = (event: object): event is CatalogRequest =>
  'op' in event && CatalogRequest.safeParse(event).success;

type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** The brand or model function's one entry: proxy events go to the HTTP handler, internal lookups to `get`. */
export function catalogEntry<T>(http: HttpHandler, get: (id: string) => Promise<T>) {
  function entry(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult>;
  function entry(event: CatalogRequest, context: Context): Promise<CatalogReply<T>>;
  async function entry(
    event: APIGatewayProxyEvent | CatalogRequest,
    context: Context,
  ): Promise<APIGatewayProxyResult | CatalogReply<T>> {
    if (!isCatalogRequest(event)) return http(event, context);
    try {
      return { item: await get(event.id) };
    } catch (error) {
      if (error instanceof NotFoundError) return { item: null };
      throw error;
    }
  }
  return entry;
}

/** Calls the brand or model function with an internal lookup: in process locally, by Lambda Invoke in AWS. */
export type InvokeCatalog = (
  fn: CatalogFunction,
  request: CatalogRequest,
  signal: AbortSignal,
) => Promise<unknown>;

/** Reads the catalog through its own functions, so other services never touch its tables. */
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
    const reply = await this.invoke('model', { op: 'get', id }, signal);
    return this.replies.model.parse(reply).item;
  }

  async brand(id: string, signal: AbortSignal): Promise<CatalogBrand | null> {
    const reply = await this.invoke('brand', { op: 'get', id }, signal);
    return this.replies.brand.parse(reply).item;
  }
}
