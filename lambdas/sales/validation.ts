/** What can be checked about submitted sales without any I/O. */
import { randomUUID } from 'node:crypto';
import type { FieldIssue } from '../shared/errors';
import { checkMinorUnit, type SaleCreate, type SaleItem } from './schemas';

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

/** Sales as submitted, each with where it came from. */
export interface Submission {
  items: readonly SaleItem[];
  origins: readonly Origin[];
  /** The sales' ids, by position, when the caller chose them (the queue worker, to stay idempotent). */
  ids?: readonly string[];
}

/** The outcome of `checkSubmission`: the valid sales, every problem found, and the models to look up. */
export interface CheckedSubmission {
  sales: NewSale[];
  /** Origin of each of `sales`. */
  origins: Origin[];
  /** Each problem with the position of its item in the submission (reports list items in order). */
  issues: { position: number; issue: FieldIssue }[];
  /** Every well-formed model id named (by valid and invalid items alike), so unknown ones join the report. */
  models: { modelId: string; position: number }[];
}

/**
 * Checks what needs no database: the schema's verdict on each item, the currency's minor unit, and externalIds
 * repeated within the submission. Fills defaults of the valid sales.
 */
export function checkSubmission(submission: Submission, reportingCurrency: string): CheckedSubmission {
  const checked: CheckedSubmission = { sales: [], origins: [], issues: [], models: [] };
  const report = (position: number, field: string, message: string) =>
    checked.issues.push({ position, issue: issueAt(originAt(submission, position), field, message) });
  const externalIds = new Set<string>();
  const { items, ids } = submission;
  for (let position = 0; position < items.length; position++) {
    const item = items[position] as SaleItem;
    const { modelId, externalId } = 'sale' in item ? item.sale : item;
    if ('sale' in item) {
      const sale = toNewSale(item.sale, reportingCurrency, ids?.[position]);
      const minorUnitProblem = checkMinorUnit(item.sale, sale.currency);
      if (minorUnitProblem) report(position, 'unitPrice', minorUnitProblem);
      checked.sales.push(sale);
      checked.origins.push(originAt(submission, position));
    } else {
      for (const problem of item.problems) report(position, problem.field, problem.message);
    }
    if (modelId !== undefined) checked.models.push({ modelId: modelId.toLowerCase(), position });
    if (externalId !== undefined) {
      if (externalIds.has(externalId))
        report(position, 'externalId', 'repeats an externalId used earlier in this request');
      externalIds.add(externalId);
    }
  }
  return checked;
}

/** Where the item at `position` came from (a batch index unless the submission says otherwise). */
export function originAt(submission: Submission, position: number): Origin {
  return submission.origins[position] ?? { index: position };
}

/** Fills what the schema leaves to the domain: the id, the default currency, soldAt as an instant. */
export function toNewSale(input: SaleCreate, reportingCurrency: string, id: string = randomUUID()): NewSale {
  return {
    id,
    // UUIDs are case-insensitive; the catalog's are lower case.
    modelId: input.modelId.toLowerCase(),
    // A bare date is that UTC day's midnight. A date-time goes to SQL in UTC: RFC 3339 offsets reach ±23:59,
    // PostgreSQL's only ±15:59 (sold_at keeps milliseconds either way).
    soldAt: toUtcInstant(input.soldAt),
    quantity: input.quantity,
    unitPrice: input.unitPrice,
    currency: input.currency ?? reportingCurrency,
    country: input.country ?? null,
    externalId: input.externalId ?? null,
  };
}

/** Already UTC to the millisecond (what exports mostly send): PostgreSQL reads it as the same instant. */
const UTC_TO_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?Z$/;

/** A valid soldAt as an instant in UTC whose first ten characters are its UTC day. */
function toUtcInstant(soldAt: string): string {
  if (soldAt.length === 10) return `${soldAt}T00:00:00Z`;
  return UTC_TO_MILLIS.test(soldAt) ? soldAt : new Date(soldAt).toISOString();
}

/** An issue about one field of one submitted sale, located the way its origin is (body, batch index, CSV line). */
export function issueAt(origin: Origin, field: string, message: string): FieldIssue {
  if ('single' in origin) return { path: `body.${field}`, message };
  if ('line' in origin)
    return { path: `line ${origin.line}: ${field}`, line: origin.line, column: field, message };
  return { path: `body.sales[${origin.index}].${field}`, index: origin.index, message };
}
