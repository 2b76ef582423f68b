import { CsvError, parse } from 'csv-parse/sync';
import { type FieldIssue, ValidationError } from '../shared/errors';
import { toFieldIssues } from '../shared/http/request';
import { issueAt, type NewSale, type Origin, toNewSale } from './sales';
import { checkMinorUnit, SALE_FIELDS, SaleCreate } from './schemas';

interface CsvRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

/** The most rows one import may hold (API Gateway's 10 MB payload fits about this many). */
export const MAX_IMPORT_ROWS = 200_000;
const REQUIRED_COLUMNS = ['modelId', 'soldAt', 'quantity', 'unitPrice'];

/** Validates every item and reports every bad field of every item at once (422), or returns them all. */
export function validateSales(
  items: readonly unknown[],
  origins: readonly Origin[],
  reportingCurrency: string,
): NewSale[] {
  const issues: FieldIssue[] = [];
  const sales: NewSale[] = [];
  items.forEach((item, i) => {
    const origin = origins[i];
    const parsed = SaleCreate.safeParse(item, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues.flatMap((zodIssue) => toFieldIssues(zodIssue, ''))) {
        issues.push(issueAt(origin, issue.path.replace(/^\./, '') || 'sale', issue.message));
      }
      return;
    }
    const sale = toNewSale(parsed.data, reportingCurrency);
    const minorUnitProblem = checkMinorUnit(parsed.data, sale.currency);
    if (minorUnitProblem) issues.push(issueAt(origin, 'unitPrice', minorUnitProblem));
    sales.push(sale);
  });
  if (issues.length > 0)
    throw new ValidationError('Some sales are invalid; nothing was written', issues, 422);
  return sales;
}

/**
 * Reads a CSV of sales: a header row of sale field names, then one sale per record. Handles a UTF-8 BOM,
 * CRLF, and quoted fields with commas, quotes and newlines. Returns plain items for `validateSales`.
 */
export function readSalesCsv(text: string): { items: Record<string, unknown>[]; origins: Origin[] } {
  let records: CsvRecord[];
  try {
    // With `info: true` csv-parse yields `{ record, info }` per record; its typings do not say so.
    records = parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as CsvRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      throw csvProblem(`The CSV is malformed near line ${line}: ${error.message}`, [
        { path: `line ${line}`, line, message: error.message.replace(/^Invalid \w+: /, '') },
      ]);
    }
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw csvProblem('The CSV is empty: it needs a header row and at least one sale', []);
  const columns = header.record.map((name) => name.trim());
  checkHeader(columns);
  if (rows.length === 0) throw csvProblem('The CSV has a header but no sales', []);
  if (rows.length > MAX_IMPORT_ROWS) throw csvProblem(`The CSV has more than ${MAX_IMPORT_ROWS} rows`, []);

  const items: Record<string, unknown>[] = [];
  const origins: Origin[] = [];
  let previous = header.info;
  for (const { record, info } of rows) {
    // A record starts on the line after the previous one ends, past any empty lines in between.
    const line = previous.lines + 1 + (info.empty_lines - previous.empty_lines);
    previous = info;
    const item: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const cell = record[i] ?? '';
      if (cell === '') return; // an empty optional cell is absent; an empty required one is reported missing
      item[column] = column === 'quantity' && /^-?\d+$/.test(cell) ? Number(cell) : cell;
    });
    items.push(item);
    origins.push({ line });
  }
  return { items, origins };
}

function checkHeader(columns: string[]) {
  const known = new Set<string>(SALE_FIELDS);
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const column of columns) {
    if (!known.has(column))
      issues.push({ path: 'line 1', line: 1, column, message: `unknown column "${column}"` });
    else if (seen.has(column))
      issues.push({ path: 'line 1', line: 1, column, message: `column "${column}" repeats` });
    seen.add(column);
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!seen.has(column))
      issues.push({ path: 'line 1', line: 1, column, message: `missing column "${column}"` });
  }
  if (issues.length > 0) {
    throw csvProblem(`The CSV header must name sale fields: ${SALE_FIELDS.join(', ')}`, issues);
  }
}

function csvProblem(message: string, issues: FieldIssue[]) {
  return new ValidationError(message, issues, 422);
}
