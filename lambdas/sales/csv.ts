/** Reading a CSV import into submitted sales: pure, no I/O. */
import { CsvError, parse } from 'csv-parse/sync';
import { type FieldIssue, ValidationError } from '../shared/errors';
import { parseSaleItem, SALE_FIELDS, type SaleItem } from './schemas';
import type { Origin, Submission } from './validation';

interface CsvRecord {
  record: string[];
  /** `bytes`: where the record ends (past its line end) in the UTF-8 input. */
  info: { bytes: number; empty_lines: number };
}

/** The most rows one import may hold (API Gateway's 10 MB payload fits about this many short rows). */
export const MAX_IMPORT_ROWS = 200_000;
const REQUIRED_COLUMNS = ['modelId', 'soldAt', 'quantity', 'unitPrice'];

/**
 * Reads a CSV of sales: a header row of sale field names, then one sale per record. Handles a UTF-8 BOM,
 * CRLF, and quoted fields with commas, quotes and newlines. Each row is parsed by the sale schema, once.
 */
export function readSalesCsv(text: string): Submission {
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

  const items: SaleItem[] = [];
  const origins: Origin[] = [];
  // Lines are counted here: csv-parse's `info.lines` counts a CRLF inside a quoted field as two lines.
  const lineAt = lineCounter(Buffer.from(text, 'utf8'));
  let previous = header.info;
  for (const { record, info } of rows) {
    // A record starts on the line after the previous one ends, past any empty lines in between.
    const line = lineAt(previous.bytes) + (info.empty_lines - previous.empty_lines);
    previous = info;
    const item: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const cell = record[i] ?? '';
      if (cell === '') return; // an empty optional cell is absent; an empty required one is reported missing
      item[column] = column === 'quantity' && /^-?\d+$/.test(cell) ? Number(cell) : cell;
    });
    items.push(parseSaleItem(item));
    origins.push({ line });
  }
  return { items, origins };
}

/** The 1-based line at each byte offset, asked in increasing order; CRLF, LF and a lone CR each end a line. */
function lineCounter(bytes: Buffer): (offset: number) => number {
  let position = 0;
  let line = 1;
  return (offset) => {
    for (; position < offset && position < bytes.length; position++) {
      const byte = bytes[position];
      if (byte === 0x0a || (byte === 0x0d && bytes[position + 1] !== 0x0a)) line++;
    }
    return line;
  };
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
