/** Reading a CSV import into submitted sales: pure, no I/O. */
import Papa from 'papaparse';
import { type FieldIssue, ValidationError } from '../shared/errors';
import { parseSaleItem, SALE_FIELDS, type SaleItem } from './schemas';
import type { Origin, Submission } from './validation';

/** The most rows one import may hold (API Gateway's 10 MB payload fits about this many short rows). */
export const MAX_IMPORT_ROWS = 200_000;
const REQUIRED_COLUMNS = ['modelId', 'soldAt', 'quantity', 'unitPrice'];

/**
 * Reads a CSV of sales: a header row of sale field names, then one sale per record. Handles a UTF-8 BOM,
 * CRLF, blank lines, and quoted fields with commas, quotes and newlines; every record must have the header's
 * fields. Each row is parsed by the sale schema, once.
 */
export function readSalesCsv(text: string): Submission {
  // Blank lines come back as `['']` records: kept, so each record's line can be counted (papaparse strips a BOM).
  const { data, errors } = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: false });
  const lines = recordLines(data, text.includes('"'));
  const malformed = errors[0];
  if (malformed) {
    throw malformedAt(lines[malformed.row ?? 0] ?? 1, malformed.message);
  }
  const records = data.flatMap((record, i) => (isBlank(record) ? [] : [{ record, line: lines[i] ?? 1 }]));
  const [header, ...rows] = records;
  if (!header) throw csvProblem('The CSV is empty: it needs a header row and at least one sale', []);
  const columns = header.record.map((name) => name.trim());
  checkHeader(columns);
  if (rows.length === 0) throw csvProblem('The CSV has a header but no sales', []);
  if (rows.length > MAX_IMPORT_ROWS) throw csvProblem(`The CSV has more than ${MAX_IMPORT_ROWS} rows`, []);

  const items: SaleItem[] = [];
  const origins: Origin[] = [];
  for (const { record, line } of rows) {
    if (record.length !== columns.length) {
      throw malformedAt(line, `has ${record.length} fields where the header has ${columns.length}`);
    }
    const item: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as string;
      const cell = record[i] as string;
      if (cell === '') continue; // an empty optional cell is absent; an empty required one is reported missing
      item[column] = column === 'quantity' && /^-?\d+$/.test(cell) ? Number(cell) : cell;
    }
    items.push(parseSaleItem(item));
    origins.push({ line });
  }
  return { items, origins };
}

/** The 1-based line each record starts on: one line per record, plus the line breaks inside its quoted fields. */
function recordLines(records: readonly string[][], quoted: boolean): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const record of records) {
    lines.push(line);
    line += 1;
    if (quoted) for (const field of record) line += lineBreaksIn(field);
  }
  return lines;
}

/** CRLF, LF and a lone CR each end a line. */
function lineBreaksIn(field: string): number {
  if (!field.includes('\n') && !field.includes('\r')) return 0;
  return field.match(/\r\n|\n|\r/g)?.length ?? 0;
}

const isBlank = (record: readonly string[]) => record.length === 1 && record[0] === '';

function malformedAt(line: number, message: string) {
  return csvProblem(`The CSV is malformed at line ${line}: ${message}`, [
    { path: `line ${line}`, line, message },
  ]);
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
  return new ValidationError(message, issues, 'unprocessable');
}
