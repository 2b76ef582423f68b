import * as z from 'zod/mini';
import { apiHandlerFactory } from '../shared/http/api-handler';
import { readFormFile } from '../shared/http/form';
import type { ApiRequest } from '../shared/http/request';
import { created, noContent, ok } from '../shared/http/responses';
import type { IdempotentRequest, IdempotentRunner } from '../shared/idempotency';
import { recordMetric } from '../shared/metrics';
import type { CursorCodec } from '../shared/pagination';
import type { Projector } from '../shared/projection/projector';
import { SCOPES } from '../shared/route';
import type { Sql } from '../shared/sql/port';
import { readSalesCsv } from './csv';
import type { SaleEvents } from './events';
import { salesRoutes } from './routes';
import { type Actor, Sales } from './sales';

export interface SalesDeps {
  sql: Sql;
  cursors: CursorCodec;
  projector: Projector;
  idempotent: IdempotentRunner;
  reportingCurrency: string;
  /** Sales events: queued now, stored by the ingest worker. */
  events: SaleEvents;
}

/** The sales API: parsed requests in, use cases called, idempotency kept here at the HTTP edge. */
export function createSalesHandler({
  sql,
  cursors,
  projector,
  idempotent,
  reportingCurrency,
  events,
}: SalesDeps) {
  const sales = new Sales(sql, projector, cursors, reportingCurrency);

  return apiHandlerFactory(salesRoutes, { readForm: readFormFile })('sales', {
    createSale: (request) =>
      idempotent(idempotencyOf(request, 'createSale'), async () => {
        const [sale] = await sales.record(
          { items: [{ sale: request.body }], origins: [{ single: true }] },
          actorOf(request),
        );
        if (!sale) throw new Error('The inserted sale was not read back');
        return created(sale, `/sales/${sale.id}`);
      }),
    createSalesBatch: async (request) => {
      // The idempotency record keeps only the ids: a DynamoDB item holds at most 400 KB, which 1000 sales with
      // long externalIds exceed. Sales never change, so a replay reads the same sales back.
      let recorded: Awaited<ReturnType<Sales['record']>> | undefined;
      const { body } = await idempotent(idempotencyOf(request, 'createSalesBatch'), async () => {
        const items = request.body.sales;
        recorded = await sales.record(
          { items, origins: items.map((_, index) => ({ index })) },
          actorOf(request),
        );
        return { status: 201, body: { ids: recorded.map((sale) => sale.id) } };
      });
      if (recorded) return { status: 201, body: { items: recorded } };
      const { ids } = ReplayedBatch.parse(body);
      return { status: 201, body: { items: await sales.byIds(ids) } };
    },
    importSales: (request) =>
      idempotent(idempotencyOf(request, 'importSales'), async () => {
        const importedRows = await sales.import(readSalesCsv(request.body), actorOf(request));
        recordMetric('RowsImported', importedRows);
        return { status: 201, body: { importedRows } };
      }),
    createSaleEvents: async (request) => ({
      status: 202,
      body: { items: await events.accept(request.body.events, actorOf(request), request.requestId) },
    }),
    getSaleEvent: async (request) =>
      ok(await events.status(request.params.ingestionId, actorOf(request), sales)),
    listSales: async ({ query }) => ok(await sales.list(query, query.limit, query.cursor)),
    getSale: async ({ params }) => ok(await sales.get(params.saleId)),
    deleteSale: async (request) => {
      await sales.delete(request.params.saleId, actorOf(request));
      return noContent();
    },
  });
}

/** What the idempotency record of a batch keeps. */
const ReplayedBatch = z.object({ ids: z.array(z.string()) });

function actorOf({ principal }: ApiRequest): Actor {
  return { clientId: principal.clientId, isAdmin: principal.scopes.includes(SCOPES.admin) };
}

function idempotencyOf(request: ApiRequest, operation: string): IdempotentRequest {
  return {
    clientId: request.principal.clientId,
    operation,
    key: request.headers['idempotency-key'],
    body: request.body,
    lambdaContext: request.lambdaContext,
  };
}
