/**
 * The sales tests' HTTP helpers on the typed client (client/): fresh brands and models, sales one at a time, in
 * batches and as CSV, listing every sale of a query and per-model sales. Each returns the typed result; check it
 * with `expectData`/`expectProblem` from ./api. Imports vitest (through ./api): use from test files only.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient, operations, Schemas } from '../../client';
import { expectData } from './api';

type SaleCreate = Schemas['SaleCreate'];
/** Request headers the sales writes declare (`idempotency-key`). */
type WriteHeaders = operations['createSale']['parameters']['header'];

export async function createBrand(admin: ApiClient): Promise<Schemas['Brand']> {
  return expectData(await admin.POST('/brands', { body: { name: `Brand ${randomUUID()}` } }), 201);
}

/** A model with a unique name, of `brandId` or of a new brand. */
export async function createModel(admin: ApiClient, brandId?: string): Promise<Schemas['Model']> {
  const brand = brandId ?? (await createBrand(admin)).id;
  return expectData(
    await admin.POST('/models', { body: { brandId: brand, name: `Model ${randomUUID()}` } }),
    201,
  );
}

export const postSale = (client: ApiClient, sale: SaleCreate, header?: WriteHeaders) =>
  client.POST('/sales', { body: sale, params: { header } });

export const postBatch = (client: ApiClient, sales: SaleCreate[], header?: WriteHeaders) =>
  client.POST('/sales/batch', { body: { sales }, params: { header } });

/** `POST /sales/import` with `csv` as a `text/csv` body. */
export const postCsv = (client: ApiClient, csv: string, header?: WriteHeaders) =>
  client.POST('/sales/import', {
    body: csv,
    bodySerializer: String,
    params: { header },
    headers: { 'content-type': 'text/csv' },
  });

export const saleById = (client: ApiClient, saleId: string) =>
  client.GET('/sales/{saleId}', { params: { path: { saleId } } });

export const deleteSale = (client: ApiClient, saleId: string) =>
  client.DELETE('/sales/{saleId}', { params: { path: { saleId } } });

type ListQuery = Omit<NonNullable<operations['listSales']['parameters']['query']>, 'cursor'>;

/** Every sale `GET /sales` lists for `query`, following the cursors. */
export async function listAll(client: ApiClient, query: ListQuery): Promise<Schemas['Sale'][]> {
  const sales: Schemas['Sale'][] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = expectData(await client.GET('/sales', { params: { query: { ...query, cursor } } }));
    sales.push(...page.items);
    if (page.nextCursor === null) return sales;
    cursor = page.nextCursor;
  }
  throw new Error('Too many pages');
}

export type ModelSalesQuery = operations['getModelSales']['parameters']['query'];

export const modelSales = (
  client: ApiClient,
  modelId: string,
  query: ModelSalesQuery,
  ifNoneMatch?: string,
) =>
  client.GET('/models/{modelId}/sales', {
    params: {
      path: { modelId },
      query,
      header: ifNoneMatch === undefined ? undefined : { 'if-none-match': ifNoneMatch },
    },
  });
