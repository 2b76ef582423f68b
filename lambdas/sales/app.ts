import { createApiHandler } from '../shared/http/api-handler';
import type { ApiRequest } from '../shared/http/request';
import { created, noContent, ok } from '../shared/http/responses';
import type { IdempotentRequest, IdempotentRunner } from '../shared/idempotency';
import type { CursorCodec } from '../shared/pagination';
import type { Projector } from '../shared/projection/projector';
import { SCOPES } from '../shared/route';
import type { Sql } from '../shared/sql/port';
import { readSalesCsv, validateSales } from './intake';
import { Sales } from './sales';

export interface SalesDeps {
  sql: Sql;
  cursors: CursorCodec;
  projector: Projector;
  idempotent: IdempotentRunner;
  reportingCurrency: string;
}

export function createSalesHandler({ sql, cursors, projector, idempotent, reportingCurrency }: SalesDeps) {
  const sales = new Sales(sql, projector, cursors);

  return createApiHandler('sales', {
    createSale: (request) =>
      idempotent(idempotencyOf(request, 'createSale'), async () => {
        const origins = [{ single: true as const }];
        const valid = validateSales([request.body], origins, reportingCurrency);
        const [sale] = await sales.insert(valid, origins, request.principal.clientId, true);
        if (!sale) throw new Error('The inserted sale was not read back');
        return created(sale, `/sales/${sale.id}`);
      }),
    createSalesBatch: (request) =>
      idempotent(idempotencyOf(request, 'createSalesBatch'), async () => {
        const origins = request.body.sales.map((_, index) => ({ index }));
        const valid = validateSales(request.body.sales, origins, reportingCurrency);
        return {
          status: 201,
          body: { items: await sales.insert(valid, origins, request.principal.clientId, true) },
        };
      }),
    importSales: (request) =>
      idempotent(idempotencyOf(request, 'importSales'), async () => {
        const { items, origins } = readSalesCsv(request.body);
        const valid = validateSales(items, origins, reportingCurrency);
        await sales.insert(valid, origins, request.principal.clientId, false);
        return { status: 201, body: { importedRows: valid.length } };
      }),
    listSales: async ({ query }) => ok(await sales.list(query, query.limit, query.cursor)),
    getSale: async ({ params }) => ok(await sales.get(params.saleId)),
    deleteSale: async ({ params, principal }) => {
      await sales.delete(params.saleId, principal.clientId, principal.scopes.includes(SCOPES.admin));
      return noContent();
    },
  });
}

function idempotencyOf(request: ApiRequest, operation: string): IdempotentRequest {
  return {
    clientId: request.principal.clientId,
    operation,
    key: request.headers['idempotency-key'],
    body: request.body,
  };
}
