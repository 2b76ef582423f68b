import * as z from 'zod';
import { createApiHandler } from '../api';
import { ValidationError } from '../shared/errors';
import type { ApiRequest } from '../shared/http/request';
import { created, noContent, ok } from '../shared/http/responses';
import type { IdempotentRequest, IdempotentRunner } from '../shared/idempotency';
import type { CursorCodec } from '../shared/pagination';
import type { Projector } from '../shared/projection/projector';
import { SCOPES } from '../shared/route';
import type { Sql } from '../shared/sql/port';
import { modelIdsOf, readSalesCsv, validateSales } from './intake';
import { type NewSale, type Origin, Sales } from './sales';
import type { Sale } from './schemas';

export interface SalesDeps {
  sql: Sql;
  cursors: CursorCodec;
  projector: Projector;
  idempotent: IdempotentRunner;
  reportingCurrency: string;
}

export function createSalesHandler({ sql, cursors, projector, idempotent, reportingCurrency }: SalesDeps) {
  const sales = new Sales(sql, projector, cursors);

  /** Validates every item; when some are invalid, the 422 also names the items whose model does not exist. */
  async function validate(items: readonly unknown[], origins: readonly Origin[]): Promise<NewSale[]> {
    try {
      return validateSales(items, origins, reportingCurrency);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const unknownModels = await sales.unknownModels(modelIdsOf(items));
      if (unknownModels.size === 0) throw error;
      return validateSales(items, origins, reportingCurrency, unknownModels);
    }
  }

  return createApiHandler('sales', {
    createSale: (request) =>
      idempotent(idempotencyOf(request, 'createSale'), async () => {
        const origins = [{ single: true as const }];
        const valid = await validate([request.body], origins);
        const [sale] = await sales.insert(valid, origins, request.principal.clientId, true);
        if (!sale) throw new Error('The inserted sale was not read back');
        return created(sale, `/sales/${sale.id}`);
      }),
    createSalesBatch: async (request) => {
      // The idempotency record keeps only the ids: a DynamoDB item holds at most 400 KB, which 1000 sales with
      // long externalIds exceed. Sales never change, so a replay reads the same sales back.
      let inserted: Sale[] | undefined;
      const { body } = await idempotent(idempotencyOf(request, 'createSalesBatch'), async () => {
        const origins = request.body.sales.map((_, index) => ({ index }));
        const valid = await validate(request.body.sales, origins);
        // Read back in the write's transaction: a read failing after the commit would be a 503 for written sales.
        inserted = await sales.insert(valid, origins, request.principal.clientId, true);
        return { status: 201, body: { ids: valid.map((sale) => sale.id) } };
      });
      if (inserted) return { status: 201, body: { items: inserted } };
      const { ids } = ReplayedBatch.parse(body);
      return { status: 201, body: { items: await sales.byIds(ids) } };
    },
    importSales: (request) =>
      idempotent(idempotencyOf(request, 'importSales'), async () => {
        const { items, origins } = readSalesCsv(request.body);
        const valid = await validate(items, origins);
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

/** What the idempotency record of a batch keeps. */
const ReplayedBatch = z.object({ ids: z.array(z.string()) });

function idempotencyOf(request: ApiRequest, operation: string): IdempotentRequest {
  return {
    clientId: request.principal.clientId,
    operation,
    key: request.headers['idempotency-key'],
    body: request.body,
    lambdaContext: request.lambdaContext,
  };
}
