import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { proxyEvent } from '../http/proxy-event';
import { SCOPES } from '../route';
import type { CatalogBrand, CatalogModel, CatalogSource } from './catalog';

/** Calls a catalog function (brand or model) with an API Gateway event, in process locally or by Lambda Invoke. */
export type InvokeCatalog = (
  fn: 'brand' | 'model',
  event: APIGatewayProxyEvent,
  signal: AbortSignal,
) => Promise<APIGatewayProxyResult>;

/** Reads the catalog through its own services' GET operations, so other services never touch its tables. */
export class HandlerCatalogSource implements CatalogSource {
  constructor(
    private readonly invoke: InvokeCatalog,
    private readonly callerId: string,
  ) {}

  model(id: string, signal: AbortSignal): Promise<CatalogModel | null> {
    return this.get('model', '/models/{modelId}', { modelId: id }, signal);
  }

  brand(id: string, signal: AbortSignal): Promise<CatalogBrand | null> {
    return this.get('brand', '/brands/{brandId}', { brandId: id }, signal);
  }

  private async get<T>(
    fn: 'brand' | 'model',
    resource: string,
    pathParameters: Record<string, string>,
    signal: AbortSignal,
  ): Promise<T | null> {
    const path = resource.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name] ?? '');
    const event = internalGet(resource, path, pathParameters, this.callerId);
    const response = await abortable(this.invoke(fn, event, signal), signal);
    if (response.statusCode === 404) return null;
    if (response.statusCode !== 200) throw new Error(`Catalog ${fn} answered ${response.statusCode}`);
    return JSON.parse(response.body) as T;
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('Aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function internalGet(
  resource: string,
  path: string,
  pathParameters: Record<string, string>,
  callerId: string,
): APIGatewayProxyEvent {
  return proxyEvent({
    method: 'GET',
    resource,
    path,
    pathParameters,
    body: null,
    claims: { client_id: callerId, scope: SCOPES.read },
    requestId: `${callerId}-${randomUUID()}`,
    stage: 'internal',
  });
}
