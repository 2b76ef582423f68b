import * as z from 'zod/mini';
import { entityRoutes, MAX_PAYLOAD_BYTES, problem } from '../shared/route';
import { SALES_TAG } from '../tags';
import { IngestionAccepted, IngestionParams, IngestionStatus, SaleEvents } from './events-schemas';
import {
  IdempotencyHeaders,
  ImportResult,
  Sale,
  SaleBatch,
  SaleCreate,
  SaleItems,
  SaleListQuery,
  SalePage,
  SaleParams,
} from './schemas';

/** The routes of the sales function (its part of the route table, lambdas/routes.ts). */
export const salesRoutes = entityRoutes('sales', SALES_TAG, {
  createSale: {
    method: 'POST',
    path: '/sales',
    access: 'write',
    summary: 'Record a sale',
    body: SaleCreate,
    headers: IdempotencyHeaders,
    responses: {
      201: { description: 'Created', schema: Sale, headers: ['Location'] },
      409: problem('externalId already used by this client, or the same Idempotency-Key is in flight'),
      422: problem('modelId names no model, bad minor unit, or Idempotency-Key reused with another body'),
      503: problem('The database is unavailable; nothing was written'),
    },
  },
  createSalesBatch: {
    method: 'POST',
    path: '/sales/batch',
    access: 'write',
    summary: 'Record 1 to 1000 sales, all or nothing',
    body: SaleBatch,
    headers: IdempotencyHeaders,
    responses: {
      201: { description: 'Created, in request order', schema: SaleItems },
      409: problem('Some externalIds were already used; nothing was written'),
      422: problem('Every invalid item, by index and field; nothing was written'),
      503: problem('The database is unavailable; nothing was written'),
    },
  },
  importSales: {
    method: 'POST',
    path: '/sales/import',
    access: 'write',
    summary: 'Import sales from CSV (header row of sale field names), all or nothing',
    body: z.string().check(z.maxLength(MAX_PAYLOAD_BYTES)),
    bodyType: 'text/csv',
    formFile: 'file',
    headers: IdempotencyHeaders,
    responses: {
      201: { description: 'Imported', schema: ImportResult },
      409: problem('Some externalIds were already used; nothing was written'),
      413: problem('The body exceeds the 10 MB API Gateway payload limit (6 MB through Lambda in AWS)'),
      422: problem('Every bad row by line, column and reason; nothing was written'),
      503: problem('The database is unavailable; nothing was written'),
    },
  },
  createSaleEvents: {
    method: 'POST',
    path: '/sales/events',
    access: 'write',
    summary: 'Queue 1 to 500 sales events; each is stored later, exactly once, or rejected with a reason',
    body: SaleEvents,
    responses: {
      202: {
        description: 'Durably queued: one pending ingestion id per event, in order',
        schema: IngestionAccepted,
      },
      422: problem('Every invalid event, by index and field; nothing was queued'),
      503: problem('The queue or the status store is unavailable; nothing was queued'),
    },
  },
  getSaleEvent: {
    method: 'GET',
    path: '/sales/events/{ingestionId}',
    access: 'read',
    summary: 'Status of a queued sales event (only its submitting client, or an admin)',
    params: IngestionParams,
    responses: {
      200: {
        description: 'pending, stored (with saleId) or rejected (with reason)',
        schema: IngestionStatus,
      },
      404: problem('No such event, or another client submitted it'),
      503: problem('The status store is unavailable'),
    },
  },
  listSales: {
    method: 'GET',
    path: '/sales',
    access: 'read',
    summary: 'List sales, newest first, filtered by model, brand and UTC days (keyset pagination)',
    query: SaleListQuery,
    responses: { 200: { description: 'A page of sales', schema: SalePage } },
  },
  getSale: {
    method: 'GET',
    path: '/sales/{saleId}',
    access: 'read',
    summary: 'Get a sale',
    params: SaleParams,
    responses: { 200: { description: 'The sale', schema: Sale }, 404: problem('No such sale') },
  },
  deleteSale: {
    method: 'DELETE',
    path: '/sales/{saleId}',
    access: 'write',
    summary: 'Delete a sale (only its submitting client, or an admin)',
    params: SaleParams,
    responses: {
      204: { description: 'Deleted' },
      403: problem('Not the submitting client, and not an admin'),
      404: problem('No such sale'),
    },
  },
});
