import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { recordMetric } from '../shared/metrics';
import { formatDecimal, parseDecimal } from '../shared/money';
import { type CursorCodec, type Page, toPage } from '../shared/pagination';
import { bookPending, recordChanges, type SaleChange } from '../shared/projection/bookkeeping';
import type { Projector } from '../shared/projection/projector';
import type { Sql } from '../shared/sql/port';
import {
  deleteSale,
  INSERT_CHUNK,
  insertSales,
  listSales,
  lockModels,
  lockSale,
  type SaleFilter,
  salesByIds,
  salesWithExternalIds,
} from './repository';
import type { Sale } from './schemas';
import {
  type CheckedSubmission,
  checkSubmission,
  issueAt,
  type NewSale,
  originAt,
  type Submission,
} from './validation';

/** Who acts: the client of the access token (HTTP) or the submitter a queued message names. */
export interface Actor {
  clientId: string;
  /** Admins may delete any client's sales. */
  isAdmin?: boolean;
}

/**
 * Sales use cases, free of HTTP and Lambda types so the API and a queue worker call the same code. A write is
 * all-or-nothing: its sales and their bookkeeping commit together, then a best-effort projection follows.
 */
export class Sales {
  constructor(
    private readonly sql: Sql,
    private readonly projector: Projector,
    private readonly cursors: CursorCodec,
    private readonly reportingCurrency: string,
  ) {}

  /** Records the submitted sales and returns them as stored, in submission order (single sales, batches). */
  async record(submission: Submission, actor: Actor): Promise<Sale[]> {
    // Read back inside the transaction: after the commit nothing may fail, as a 503 would say nothing was written.
    return this.write(submission, actor, (tx, ids) => salesByIds(tx, ids));
  }

  /** Records the submitted sales and returns how many (CSV imports, where echoing 200k sales would not help). */
  async import(submission: Submission, actor: Actor): Promise<number> {
    return this.write(submission, actor, async (_, ids) => ids.length);
  }

  /**
   * Primary course: check the submission, then in one transaction lock the named models, refuse (422) if any
   * item is bad or names an unknown model — every bad item in one answer —, refuse (409) externalIds already
   * used, insert, book the changed buckets; after the commit project them.
   */
  private async write<T>(
    submission: Submission,
    actor: Actor,
    answer: (tx: Sql, ids: string[]) => Promise<T>,
  ): Promise<T> {
    const checked = checkSubmission(submission, this.reportingCurrency);
    const { booking, result } = await this.sql.transaction(async (tx) => {
      await this.refuseBadItems(tx, submission, checked);
      await refuseTakenExternalIds(tx, checked, actor.clientId);
      for (let start = 0; start < checked.sales.length; start += INSERT_CHUNK) {
        await insertSales(tx, checked.sales.slice(start, start + INSERT_CHUNK), actor.clientId);
      }
      // Booked once for the whole write: a bucket that many chunks touch is bumped and queued once.
      const booking = await recordChanges(tx, changesOf(checked.sales));
      const result = await answer(
        tx,
        checked.sales.map((sale) => sale.id),
      );
      return { booking, result };
    });
    recordMetric('SalesWritten', checked.sales.length);
    await this.projector.afterCommit(booking);
    return result;
  }

  private async refuseBadItems(tx: Sql, submission: Submission, checked: CheckedSubmission): Promise<void> {
    const known = await lockModels(
      tx,
      checked.models.map((ref) => ref.modelId),
    );
    const unknownModels = checked.models
      .filter((ref) => !known.has(ref.modelId))
      .map(({ position }) => ({
        position,
        issue: issueAt(originAt(submission, position), 'modelId', 'no model has this id'),
      }));
    const issues = [...checked.issues, ...unknownModels].sort((a, b) => a.position - b.position);
    if (issues.length > 0) {
      throw new ValidationError(
        'Some sales are invalid; nothing was written',
        issues.map(({ issue }) => issue),
        'unprocessable',
      );
    }
  }

  async get(id: string): Promise<Sale> {
    const [sale] = await salesByIds(this.sql, [id]);
    if (!sale) throw new NotFoundError('Sale', id);
    return sale;
  }

  /** Sales with these ids that exist, in the given order. */
  async byIds(ids: readonly string[]): Promise<Sale[]> {
    return salesByIds(this.sql, ids);
  }

  /** Newest first; keyset on (soldAt, id). */
  async list(filter: SaleFilter, limit: number, cursor?: string): Promise<Page<Sale>> {
    const scope = `sales:${filter.modelId ?? '*'}:${filter.brandId ?? '*'}:${filter.from ?? '*'}:${filter.to ?? '*'}`;
    const after = cursor ? this.cursors.decode(cursor, scope) : undefined;
    const rows = await listSales(this.sql, filter, limit + 1, after);
    return toPage(rows, limit, (sale) => [sale.soldAt, sale.id], this.cursors, scope);
  }

  /** Deletes a sale; only the client that submitted it, or an admin, may. */
  async delete(id: string, actor: Actor): Promise<void> {
    const booking = await this.sql.transaction(async (tx) => {
      const sale = await lockSale(tx, id);
      if (!sale) throw new NotFoundError('Sale', id);
      if (sale.submittedBy !== actor.clientId && !actor.isAdmin) {
        throw new ForbiddenError('Only the client that submitted a sale, or an admin, may delete it');
      }
      // What bulk writes left pending is booked first, so the sale is never taken from a bucket before it was added.
      const pendingBooked = await bookPending(tx);
      const booking = await recordChanges(tx, await deleteSale(tx, id));
      return pendingBooked > 0 ? { entries: [], queued: booking.queued + pendingBooked } : booking;
    });
    await this.projector.afterCommit(booking);
  }
}

/**
 * What new sales add to their buckets: one change per model, day and currency, summed, in day order (consecutive
 * chunks of a bulk write's changes then share few month and year buckets). Exact as stored: soldAt is already the
 * UTC instant with the milliseconds `sold_at` keeps (its first ten characters are `sale_day`), and a unit price
 * has no more decimals than its currency's minor unit (`numeric(19, 4)` holds it unrounded).
 */
function changesOf(sales: readonly NewSale[]): SaleChange[] {
  const sums = new Map<string, Omit<SaleChange, 'revenue'> & { revenue: bigint }>();
  for (const sale of sales) {
    const day = sale.soldAt.slice(0, 10);
    const key = `${day} ${sale.modelId} ${sale.currency}`;
    const sum = sums.get(key) ?? {
      modelId: sale.modelId,
      day,
      currency: sale.currency,
      units: 0,
      revenue: 0n,
      orders: 0,
    };
    sum.units += sale.quantity;
    sum.revenue += parseDecimal(sale.unitPrice) * BigInt(sale.quantity);
    sum.orders += 1;
    sums.set(key, sum);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, sum]) => ({ ...sum, revenue: formatDecimal(sum.revenue, 4) }));
}

/** Refuses (409) sales whose externalId the client already used, naming the sale that holds it. */
async function refuseTakenExternalIds(tx: Sql, checked: CheckedSubmission, clientId: string): Promise<void> {
  const originOf = new Map(
    checked.sales.flatMap((sale, i) =>
      sale.externalId === null ? [] : [[sale.externalId, checked.origins[i]]],
    ),
  );
  const taken = await salesWithExternalIds(tx, clientId, [...originOf.keys()]);
  if (taken.length === 0) return;
  throw new ConflictError('Some sales were already submitted with the same externalId; nothing was written', {
    issues: taken.map((row) => ({
      ...issueAt(
        originOf.get(row.externalId) ?? { single: true },
        'externalId',
        `"${row.externalId}" was already submitted as sale ${row.id}`,
      ),
      existingSaleId: row.id,
    })),
  });
}
