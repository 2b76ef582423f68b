import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../shared/errors';
import { formatDecimal, minorDigits, parseDecimal } from '../shared/money';
import { type CursorCodec, type Page, toPage } from '../shared/pagination';
import { logger } from '../shared/powertools';
import { ALL_SCOPE_ID } from '../shared/projection/aggregates';
import type { OutboxEntry, Projector } from '../shared/projection/projector';
import { Uuid } from '../shared/schemas';
import { ConstraintViolation, type Sql } from '../shared/sql/port';
import type { Sale, SaleCreate } from './schemas';

/** A validated sale ready to insert: id chosen, currency defaulted, soldAt normalized to an instant. */
export interface NewSale {
  id: string;
  modelId: string;
  soldAt: string;
  quantity: number;
  unitPrice: string;
  currency: string;
  country: string | null;
  externalId: string | null;
}

/** Where a sale came from in the request, for error reports: a batch index, a CSV line, or the body itself. */
export type Origin = { index: number } | { line: number } | { single: true };

export const SALE_COLUMNS = `id, model_id AS "modelId", sold_at AS "soldAt", sale_day AS "saleDay", quantity,
  unit_price::text AS "unitPrice", currency, country, external_id AS "externalId", submitted_by AS "submittedBy",
  created_at AS "createdAt"`;

/** Most buckets a request projects before answering (a batch of 1000 sales touches at most 3000). */
const INLINE_PROJECTION_LIMIT = 3000;

// Keeps each Data API request well under its 4 MiB limit.
const INSERT_CHUNK = 2000;

export interface SaleFilter {
  modelId?: string;
  brandId?: string;
  from?: string;
  to?: string;
}

/** Sales use cases: all-or-nothing writes with their outbox rows, then a best-effort projection. */
export class Sales {
  constructor(
    private readonly sql: Sql,
    private readonly projector: Projector,
    private readonly cursors: CursorCodec,
  ) {}

  /** Inserts sales in one transaction; returns them in input order when `returnSales` (batches), else none. */
  async insert(
    sales: readonly NewSale[],
    origins: readonly Origin[],
    clientId: string,
    returnSales: boolean,
  ): Promise<Sale[]> {
    const { outbox, inserted } = await this.sql.transaction(async (tx) => {
      await assertModelsExist(tx, sales, origins);
      await assertExternalIdsFree(tx, sales, origins, clientId);
      const entries: OutboxEntry[] = [];
      for (let start = 0; start < sales.length; start += INSERT_CHUNK) {
        entries.push(...(await insertChunk(tx, sales.slice(start, start + INSERT_CHUNK), clientId)));
      }
      // Read back before the commit: after it nothing may fail the request, as a 503 says nothing was written.
      return {
        outbox: entries,
        inserted: returnSales
          ? await this.byIds(
              sales.map((sale) => sale.id),
              tx,
            )
          : [],
      };
    });
    await this.projectAfterCommit(outbox);
    return inserted;
  }

  /** Which of these model ids (as submitted; malformed ones are skipped) name no model, for error reports. */
  async unknownModels(modelIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(modelIds)].filter((id) => Uuid.safeParse(id).success);
    if (ids.length === 0) return new Set();
    const { rows } = await this.sql.query<{ id: string }>(
      `SELECT id FROM models WHERE id IN (SELECT (value #>> '{}')::uuid FROM jsonb_array_elements(:ids::jsonb))`,
      { ids: JSON.stringify(ids) },
    );
    const known = new Set(rows.map((row) => row.id));
    return new Set(ids.filter((id) => !known.has(id.toLowerCase())));
  }

  async get(id: string): Promise<Sale> {
    const [sale] = await this.byIds([id]);
    if (!sale) throw new NotFoundError('Sale', id);
    return sale;
  }

  /** Newest first; keyset on (soldAt, id). */
  async list(filter: SaleFilter, limit: number, cursor?: string): Promise<Page<Sale>> {
    const scope = `sales:${filter.modelId ?? '*'}:${filter.brandId ?? '*'}:${filter.from ?? '*'}:${filter.to ?? '*'}`;
    const after = cursor ? this.cursors.decode(cursor, scope) : undefined;
    const conditions = [
      filter.modelId ? 'model_id = :modelId::uuid' : '',
      filter.brandId ? 'model_id IN (SELECT id FROM models WHERE brand_id = :brandId::uuid)' : '',
      filter.from ? 'sale_day >= :from::date' : '',
      filter.to ? 'sale_day <= :to::date' : '',
      after ? '(sold_at, id) < (:afterSoldAt::timestamptz, :afterId::uuid)' : '',
    ].filter(Boolean);
    const { rows } = await this.sql.query<Sale>(
      `SELECT ${SALE_COLUMNS} FROM sales ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY sold_at DESC, id DESC LIMIT :take`,
      {
        take: limit + 1,
        ...definedOnly({
          modelId: filter.modelId,
          brandId: filter.brandId,
          from: filter.from,
          to: filter.to,
        }),
        ...(after ? { afterSoldAt: after[0] ?? '', afterId: after[1] ?? '' } : {}),
      },
    );
    return toPage(rows.map(inCurrencyUnits), limit, (sale) => [sale.soldAt, sale.id], this.cursors, scope);
  }

  /** Deletes a sale; only the client that submitted it, or an admin, may. */
  async delete(id: string, clientId: string, isAdmin: boolean): Promise<void> {
    const outbox = await this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ submittedBy: string }>(
        'SELECT submitted_by AS "submittedBy" FROM sales WHERE id = :id::uuid FOR UPDATE',
        { id },
      );
      const sale = rows[0];
      if (!sale) throw new NotFoundError('Sale', id);
      if (sale.submittedBy !== clientId && !isAdmin) {
        throw new ForbiddenError('Only the client that submitted a sale, or an admin, may delete it');
      }
      const deleted = await tx.query<{ model_id: string; sale_day: string; currency: string }>(
        'DELETE FROM sales WHERE id = :id::uuid RETURNING model_id, sale_day, currency',
        { id },
      );
      return touchBuckets(tx, JSON.stringify(deleted.rows));
    });
    await this.projectAfterCommit(outbox);
  }

  /**
   * The sales handler projects its own buckets right away, so a read right after a write sees it; bulk imports
   * touching thousands of buckets leave them to the scheduled projector, which also drains whatever fails here.
   */
  private async projectAfterCommit(entries: OutboxEntry[]): Promise<void> {
    if (entries.length > INLINE_PROJECTION_LIMIT) {
      logger.info('Projection left to the scheduled projector', { buckets: entries.length });
      return;
    }
    try {
      await this.projector.project(entries);
    } catch (error) {
      logger.warn('Projection deferred to the scheduled projector', {
        error: error as Error,
        buckets: entries.length,
      });
    }
  }

  /** The sales with these ids that exist, in the given order. */
  async byIds(ids: string[], sql: Sql = this.sql): Promise<Sale[]> {
    const { rows } = await sql.query<Sale>(
      `SELECT ${SALE_COLUMNS} FROM sales
       WHERE id IN (SELECT (value #>> '{}')::uuid FROM jsonb_array_elements(:ids::jsonb))`,
      { ids: JSON.stringify(ids) },
    );
    const byId = new Map(rows.map((sale) => [sale.id, inCurrencyUnits(sale)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
}

/** Validates what the schema alone cannot: the currency's minor unit; fills defaults. */
export function toNewSale(input: SaleCreate, reportingCurrency: string): NewSale {
  return {
    id: randomUUID(),
    // UUIDs are case-insensitive; the catalog's are lower case.
    modelId: input.modelId.toLowerCase(),
    // A bare date is that UTC day's midnight. A date-time goes to SQL in UTC: RFC 3339 offsets reach ±23:59,
    // PostgreSQL's only ±15:59 (sold_at keeps milliseconds either way).
    soldAt: input.soldAt.length === 10 ? `${input.soldAt}T00:00:00Z` : new Date(input.soldAt).toISOString(),
    quantity: input.quantity,
    unitPrice: input.unitPrice,
    currency: input.currency ?? reportingCurrency,
    country: input.country ?? null,
    externalId: input.externalId ?? null,
  };
}

async function insertChunk(tx: Sql, chunk: readonly NewSale[], clientId: string): Promise<OutboxEntry[]> {
  const rows = chunk.map((sale) => ({
    id: sale.id,
    model_id: sale.modelId,
    sold_at: sale.soldAt,
    quantity: sale.quantity,
    unit_price: sale.unitPrice,
    currency: sale.currency,
    country: sale.country,
    external_id: sale.externalId,
  }));
  const { rows: touched } = await tx
    .query<{ model_id: string; sale_day: string; currency: string }>(
      `INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, country, external_id, submitted_by)
       SELECT id, model_id, date_trunc('milliseconds', sold_at), quantity, unit_price, currency, country, external_id, :clientId
       FROM jsonb_to_recordset(:rows::jsonb) AS r(id uuid, model_id uuid, sold_at timestamptz, quantity integer,
         unit_price numeric, currency text, country text, external_id text)
       RETURNING model_id, sale_day, currency`,
      { rows: JSON.stringify(rows), clientId },
    )
    .catch((error: unknown) => {
      if (error instanceof ConstraintViolation) {
        // Lost a race with a concurrent write (model deleted, same externalId); nothing was written.
        throw new ConflictError('A concurrent change conflicts with these sales; retry', { cause: error });
      }
      throw error;
    });
  const distinct = [
    ...new Map(touched.map((row) => [`${row.model_id}|${row.sale_day}|${row.currency}`, row])).values(),
  ];
  return touchBuckets(tx, JSON.stringify(distinct));
}

/**
 * Bumps the version of every bucket (model, brand, all) the changed sales fall in, and records them in the
 * outbox, inside the caller's transaction. Rows are locked in key order so concurrent writers cannot deadlock.
 */
async function touchBuckets(tx: Sql, changedJson: string): Promise<OutboxEntry[]> {
  const { rows } = await tx.query<OutboxEntry>(
    bucketBumpStatement(`SELECT c.model_id, m.brand_id, c.sale_day, c.currency
       FROM jsonb_to_recordset(:changed::jsonb) AS c(model_id uuid, sale_day date, currency text)
       JOIN models m ON m.id = c.model_id`),
    { changed: changedJson, all: ALL_SCOPE_ID },
  );
  return rows;
}

/**
 * The statement behind `touchBuckets`, for the changed sales that `changed` selects (columns model_id, brand_id,
 * sale_day, currency); it takes the parameter `:all` (the all-sales scope id) and returns the outbox entries.
 */
export function bucketBumpStatement(changed: string): string {
  return `WITH changed AS (${changed}), keys AS (
       SELECT 'model' AS scope, model_id::text AS scope_id, sale_day, currency FROM changed
       UNION SELECT 'brand', brand_id::text, sale_day, currency FROM changed
       UNION SELECT :all, :all, sale_day, currency FROM changed
     ), bumped AS (
       INSERT INTO sales_buckets (scope, scope_id, sale_day, currency, version)
       SELECT scope, scope_id, sale_day, currency, 1 FROM keys ORDER BY scope, scope_id, sale_day, currency
       ON CONFLICT (scope, scope_id, sale_day, currency) DO UPDATE SET version = sales_buckets.version + 1
       RETURNING scope, scope_id, sale_day, currency
     )
     INSERT INTO sales_outbox (scope, scope_id, sale_day, currency)
     SELECT scope, scope_id, sale_day, currency FROM bumped
     RETURNING id, scope, scope_id AS "scopeId", sale_day AS day, currency`;
}

async function assertModelsExist(tx: Sql, sales: readonly NewSale[], origins: readonly Origin[]) {
  const ids = [...new Set(sales.map((sale) => sale.modelId))];
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM models WHERE id IN (SELECT (value #>> '{}')::uuid FROM jsonb_array_elements(:ids::jsonb))
     FOR KEY SHARE`,
    { ids: JSON.stringify(ids) },
  );
  const known = new Set(rows.map((row) => row.id));
  const issues = sales.flatMap((sale, i) =>
    known.has(sale.modelId) ? [] : [issueAt(origins[i], 'modelId', 'no model has this id')],
  );
  if (issues.length > 0)
    throw new ValidationError('Some sales refer to models that do not exist', issues, 422);
}

async function assertExternalIdsFree(
  tx: Sql,
  sales: readonly NewSale[],
  origins: readonly Origin[],
  clientId: string,
) {
  const seen = new Map<string, number>();
  const repeated: FieldIssue[] = [];
  sales.forEach((sale, i) => {
    if (sale.externalId === null) return;
    const first = seen.get(sale.externalId);
    if (first === undefined) seen.set(sale.externalId, i);
    else
      repeated.push(issueAt(origins[i], 'externalId', 'repeats an externalId used earlier in this request'));
  });
  if (repeated.length > 0)
    throw new ValidationError('Some externalIds repeat within the request', repeated, 422);
  if (seen.size === 0) return;
  const { rows } = await tx.query<{ externalId: string; id: string }>(
    `SELECT external_id AS "externalId", id FROM sales
     WHERE submitted_by = :clientId AND external_id IN (SELECT value #>> '{}' FROM jsonb_array_elements(:ids::jsonb))`,
    { clientId, ids: JSON.stringify([...seen.keys()]) },
  );
  if (rows.length === 0) return;
  const taken = rows.map((row) => ({
    ...issueAt(
      origins[seen.get(row.externalId) ?? 0],
      'externalId',
      `"${row.externalId}" was already submitted as sale ${row.id}`,
    ),
    existingSaleId: row.id,
  }));
  throw new ConflictError('Some sales were already submitted with the same externalId; nothing was written', {
    issues: taken,
  });
}

export function issueAt(origin: Origin | undefined, field: string, message: string): FieldIssue {
  if (!origin || 'single' in origin) return { path: `body.${field}`, message };
  if ('line' in origin)
    return { path: `line ${origin.line}: ${field}`, line: origin.line, column: field, message };
  return { path: `body.sales[${origin.index}].${field}`, index: origin.index, message };
}

/** Unit prices are stored with 4 decimals; partners see them in their currency's minor unit. */
function inCurrencyUnits(sale: Sale): Sale {
  return { ...sale, unitPrice: formatDecimal(parseDecimal(sale.unitPrice), minorDigits(sale.currency)) };
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
