/** All SQL on the `sales` table. Functions take the connection or transaction to run in. */
import { ConflictError } from '../shared/errors';
import { inMinorUnits } from '../shared/money';
import type { SaleChange } from '../shared/projection/bookkeeping';
import { ConstraintViolation, type Sql } from '../shared/sql/port';
import type { Sale } from './schemas';
import type { NewSale } from './validation';

const SALE_COLUMNS = `id, model_id AS "modelId", sold_at AS "soldAt", sale_day AS "saleDay", quantity,
  unit_price::text AS "unitPrice", currency, country, external_id AS "externalId", submitted_by AS "submittedBy",
  created_at AS "createdAt"`;

/** What a write (`sign` 1) or delete (−1) tells the bookkeeping about each sale it touched. */
const changeColumns = (sign: 1 | -1) =>
  `model_id AS "modelId", sale_day AS day, currency, ${sign} * quantity AS units,
   (${sign} * quantity * unit_price)::text AS revenue, ${sign} AS orders`;

export interface SaleFilter {
  modelId?: string;
  brandId?: string;
  from?: string;
  to?: string;
}

/** Most sales per INSERT: keeps each Data API request (about 250 bytes a sale) well under its 4 MiB limit. */
export const INSERT_CHUNK = 5000;

/** Inserts sales submitted by `clientId` (at most INSERT_CHUNK). A lost race is a ConflictError. */
export async function insertSales(tx: Sql, sales: readonly NewSale[], clientId: string): Promise<void> {
  await tx
    .query(
      `INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, country, external_id, submitted_by)
       SELECT id, "modelId", "soldAt", quantity, "unitPrice", currency, country, "externalId", :clientId
       FROM json_to_recordset(:sales::json) AS r(id uuid, "modelId" uuid, "soldAt" timestamptz, quantity integer,
         "unitPrice" numeric, currency text, country text, "externalId" text)`,
      // NewSale is already the row: serialized as it is, with no copy per sale. Read as json, not jsonb: the rows
      // are read once, in order, so jsonb's parse into a binary tree would only cost time (about 10% of a bulk insert).
      { sales: JSON.stringify(sales), clientId },
    )
    .catch((error: unknown) => {
      if (error instanceof ConstraintViolation) {
        // Lost a race with a concurrent write (model deleted, same externalId); nothing was written.
        throw new ConflictError('A concurrent change conflicts with these sales; retry', { cause: error });
      }
      throw error;
    });
}

/**
 * Which of these model ids exist, locked against deletion (FOR KEY SHARE) until the transaction ends, so the
 * sales about to be inserted cannot lose their model.
 */
export async function lockModels(tx: Sql, modelIds: readonly string[]): Promise<Set<string>> {
  if (modelIds.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM models WHERE id IN (SELECT (value #>> '{}')::uuid FROM jsonb_array_elements(:ids::jsonb))
     FOR KEY SHARE`,
    { ids: JSON.stringify([...new Set(modelIds)]) },
  );
  return new Set(rows.map((row) => row.id));
}

/** The sales that `clientId` already submitted with any of these externalIds. */
export async function salesWithExternalIds(
  tx: Sql,
  clientId: string,
  externalIds: readonly string[],
): Promise<{ externalId: string; id: string }[]> {
  if (externalIds.length === 0) return [];
  const { rows } = await tx.query<{ externalId: string; id: string }>(
    `SELECT external_id AS "externalId", id FROM sales
     WHERE submitted_by = :clientId AND external_id IN (SELECT value FROM json_array_elements_text(:ids::json))`,
    { clientId, ids: JSON.stringify(externalIds) },
  );
  return rows;
}

/** The sales with these ids that exist, in the given order. */
export async function salesByIds(db: Sql, ids: readonly string[]): Promise<Sale[]> {
  const { rows } = await db.query<Sale>(
    `SELECT ${SALE_COLUMNS} FROM sales
     WHERE id IN (SELECT (value #>> '{}')::uuid FROM jsonb_array_elements(:ids::jsonb))`,
    { ids: JSON.stringify(ids) },
  );
  const byId = new Map(rows.map((sale) => [sale.id, toSale(sale)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Up to `take` sales matching `filter`, newest first, after the keyset position `after` (soldAt, id). */
export async function listSales(
  db: Sql,
  filter: SaleFilter,
  take: number,
  after?: readonly string[],
): Promise<Sale[]> {
  const conditions = [
    filter.modelId ? 'model_id = :modelId::uuid' : '',
    filter.brandId ? 'model_id IN (SELECT id FROM models WHERE brand_id = :brandId::uuid)' : '',
    filter.from ? 'sale_day >= :from::date' : '',
    filter.to ? 'sale_day <= :to::date' : '',
    after ? '(sold_at, id) < (:afterSoldAt::timestamptz, :afterId::uuid)' : '',
  ].filter(Boolean);
  const { rows } = await db.query<Sale>(
    `SELECT ${SALE_COLUMNS} FROM sales ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY sold_at DESC, id DESC LIMIT :take`,
    {
      take,
      ...definedOnly({ ...filter }),
      ...(after ? { afterSoldAt: after[0] ?? '', afterId: after[1] ?? '' } : {}),
    },
  );
  return rows.map(toSale);
}

/** Who submitted the sale, locking it until the transaction ends; undefined when there is no such sale. */
export async function lockSale(tx: Sql, id: string): Promise<{ submittedBy: string } | undefined> {
  const { rows } = await tx.query<{ submittedBy: string }>(
    'SELECT submitted_by AS "submittedBy" FROM sales WHERE id = :id::uuid FOR UPDATE',
    { id },
  );
  return rows[0];
}

/** Deletes the sale; returns its change (none if it was not there). */
export async function deleteSale(tx: Sql, id: string): Promise<SaleChange[]> {
  const { rows } = await tx.query<SaleChange>(
    `DELETE FROM sales WHERE id = :id::uuid RETURNING ${changeColumns(-1)}`,
    {
      id,
    },
  );
  return rows;
}

/** Unit prices are stored with 4 decimals; partners see them in their currency's minor unit. */
function toSale(row: Sale): Sale {
  return { ...row, unitPrice: inMinorUnits(row.unitPrice, row.currency) };
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
