/**
 * CSV import throughput: `POST /sales/import` through the local gateway (parse, validate, insert the sales with
 * their changes, booked at once for a small import or left pending for the drain the commit kicks), beside a bare
 * `INSERT … SELECT FROM jsonb_to_recordset` of the same rows into PGlite (the floor). The time until
 * /stats/revenue reflects the whole import is reported too.
 *
 *   npx tsx bench/csv-import.ts [--quick]      BENCH_IMPORT_SIZES=10000,100000, BENCH_IMPORT_ROUNDS=3
 */

import { Worker } from 'node:worker_threads';
import { outboxSize } from '../lambdas/shared/projection/bookkeeping';
import { openDatabase } from '../local/engines';
import { MAX_BODY_BYTES } from '../local/gateway';
import { generateSales } from '../scripts/demo-data';
import {
  type Catalog,
  catalogStack,
  countOf,
  demoCatalog,
  fmt,
  insertCatalog,
  type Log,
  listOption,
  numberOption,
  ratioText,
  Stopwatch,
  timedRequest,
  tokenFor,
} from './lib';
import { type Benchmark, type Check, runAlone } from './report';

const MIN_RATIO = 0.7;
/** Seconds after the last 201 within which /stats/revenue must reflect the whole import. */
const MAX_REFLECTED_AFTER = 10;
/** Rows of the uncounted warm-up import (and warm-up insert of the floor). */
const WARMUP_ROWS = 100;
const CSV_COLUMNS = ['modelId', 'soldAt', 'quantity', 'unitPrice', 'currency', 'country', 'externalId'];
/** The demo generator's window is the two years before this day. */
const TODAY = '2026-01-01';

interface Row {
  modelId: string;
  soldAt: string;
  quantity: number;
  unitPrice: string;
  currency: string;
  country: string;
  externalId: string;
}

/** `count` realistic sales (scripts/demo-data.ts: seasonality, markets, prices), as a dealer export would be. */
function salesRows(catalog: Catalog, count: number, run: string): Row[] {
  return generateSales(count, TODAY).sales.map((sale, i) => ({
    modelId: catalog.models[sale.modelIndex]?.id ?? '',
    soldAt: sale.soldAt,
    quantity: sale.quantity,
    unitPrice: sale.unitPrice,
    currency: sale.currency,
    country: sale.country,
    // Invoice-like ids, short enough that 100k rows fit one 10 MB request (a fresh stack per run: no clashes).
    externalId: `${run}-${String(i + 1).padStart(7, '0')}`,
  }));
}

/** CSV bodies of at most the gateway's 10 MB each (one, unless the rows do not fit). */
function csvBodies(rows: readonly Row[]): string[] {
  const header = `${CSV_COLUMNS.join(',')}\n`;
  const lines = rows.map(
    (row) =>
      `${row.modelId},${row.soldAt},${row.quantity},${row.unitPrice},${row.currency},${row.country},${row.externalId}\n`,
  );
  const bodies: string[] = [];
  let current: string[] = [];
  let bytes = header.length;
  for (const line of lines) {
    if (bytes + line.length > MAX_BODY_BYTES && current.length > 0) {
      bodies.push(header + current.join(''));
      current = [];
      bytes = header.length;
    }
    current.push(line);
    bytes += line.length;
  }
  if (current.length > 0) bodies.push(header + current.join(''));
  return bodies;
}

interface ImportRun {
  rows: number;
  requests: number;
  bodyBytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Time spent in SQL statements and in DynamoDB writes (projection) during the import. */
  sqlSeconds: number;
  putSeconds: number;
  puts: number;
  /** Outbox rows right after the last 201 (large imports leave them to the drain the commit kicked). */
  outboxLeft: number;
  /** From the last 201 until GET /stats/revenue counts every imported sale (the kicked drain, asOf past the import). */
  reflectedSeconds: number;
  projectedRowsPerSecond: number;
}

async function viaApi(count: number, log: Log): Promise<ImportRun> {
  const stopwatch = new Stopwatch();
  const { stack, catalog } = await catalogStack({
    wrapSql: (sql) => stopwatch.sql(sql),
    wrapStore: (store) => stopwatch.store(store),
    // Kicks on (as deployed); the schedule itself far off, so only the kick can make the import show.
    projectorIntervalMs: 3_600_000,
  });
  try {
    const bodies = csvBodies(salesRows(catalog, count, 'inv'));
    const token = await tokenFor(stack.url, 'demo-writer');
    // Warm-up: a small import (and its projection) first, so one-time costs are not counted (the floor does the same).
    const [warmup = ''] = csvBodies(salesRows(catalog, WARMUP_ROWS, 'warm'));
    await timedRequest(`${stack.url}/sales/import`, token, {
      method: 'POST',
      body: warmup,
      headers: { 'content-type': 'text/csv' },
      expect: 201,
    });
    await waitUntilReflected(stack.url, token, WARMUP_ROWS);
    // The rest of its drain (brands, models) done too, so none of it runs during the measured import.
    while ((await outboxSize(stack.sql)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    stopwatch.reset();
    const { seconds, answers } = await importFromWorker(`${stack.url}/sales/import`, token, bodies);
    for (const [i, answer] of answers.entries()) log(`  import request ${i + 1}/${bodies.length}: ${answer}`);
    const stored = await countOf(stack.sql, 'sales');
    if (stored !== WARMUP_ROWS + count)
      throw new Error(`Imported ${WARMUP_ROWS} + ${count} rows but the table holds ${stored}`);
    const sqlSeconds = stopwatch.get('sql').busyMs / 1000;
    const put = stopwatch.get('put');
    const outboxLeft = await outboxSize(stack.sql);
    const reflectedSeconds = await waitUntilReflected(stack.url, token, WARMUP_ROWS + count);
    log(
      `  reflected in /stats/revenue ${fmt(reflectedSeconds)} s after the last 201 (${outboxLeft} outbox rows then)`,
    );
    return {
      rows: count,
      requests: bodies.length,
      bodyBytes: bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0),
      seconds,
      rowsPerSecond: count / seconds,
      sqlSeconds,
      putSeconds: put.busyMs / 1000,
      puts: put.calls,
      outboxLeft,
      reflectedSeconds,
      projectedRowsPerSecond: count / (seconds + reflectedSeconds),
    };
  } finally {
    await stack.close();
  }
}

/** What the import client runs in its thread: the requests one after the other, timed until the last 201. */
const IMPORT_CLIENT = `
const { parentPort, workerData: { url, token, bodies } } = require('node:worker_threads');
(async () => {
  const answers = [];
  // Node loads fetch (undici) on its first call, ~50 ms in a fresh thread: done before the clock starts, as a
  // client that already talks HTTP would have it.
  await (await fetch('data:,')).text();
  const t0 = performance.now();
  for (const body of bodies) {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/csv', authorization: 'Bearer ' + token },
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error('POST ' + url + ': ' + response.status + ' ' + text.slice(0, 500));
    answers.push(text);
  }
  parentPort.postMessage({ seconds: (performance.now() - t0) / 1000, answers });
})();`;

/**
 * Sends the import from a worker thread, as a partner's client in a process of its own would: the local stack
 * runs PGlite statements synchronously on its thread, where the drain the commit kicks (its own function in AWS)
 * would otherwise hold back a client's reading of the 201.
 */
function importFromWorker(
  url: string,
  token: string,
  bodies: readonly string[],
): Promise<{ seconds: number; answers: string[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(IMPORT_CLIENT, { eval: true, workerData: { url, token, bodies } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The import client exited with code ${code}`)));
  });
}

/** Polls GET /stats/revenue over the whole window, every currency, until it counts `orders`; returns the seconds. */
async function waitUntilReflected(url: string, token: string, orders: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    let counted = 0;
    for (const currency of ['EUR', 'USD']) {
      const { text } = await timedRequest(
        `${url}/stats/revenue?from=2024-01-01&to=2026-01-01&currency=${currency}`,
        token,
      );
      counted += (JSON.parse(text) as { orders: number }).orders;
    }
    if (counted === orders) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 600_000)
      throw new Error(`Only ${counted} of ${orders} sales reflected after 10 min`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface FloorRun {
  seconds: number;
  rowsPerSecond: number;
}

/** The run of median time (the upper middle one of an even count). */
function medianRun<T extends { seconds: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const run = sorted[Math.floor(sorted.length / 2)];
  if (!run) throw new Error('No runs to take the median of');
  return run;
}

async function floorInsert(catalog: Catalog, count: number): Promise<FloorRun> {
  const database = await openDatabase();
  try {
    await insertCatalog(database.sql, catalog);
    const asRows = (rows: Row[], run: string) =>
      rows.map((row, i) => ({
        id: `00000000-0000-4000-${run === 'warmup' ? 'a' : '8'}000-${String(i).padStart(12, '0')}`,
        model_id: row.modelId,
        sold_at: row.soldAt,
        quantity: row.quantity,
        unit_price: row.unitPrice,
        currency: row.currency,
        country: row.country,
        external_id: row.externalId,
      }));
    const insert = (json: string) =>
      database.pglite.query(
        `INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, country, external_id, submitted_by)
         SELECT id, model_id, sold_at, quantity, unit_price, currency, country, external_id, 'bench'
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, model_id uuid, sold_at timestamptz, quantity integer,
           unit_price numeric, currency text, country text, external_id text)`,
        [json],
      );
    await insert(JSON.stringify(asRows(salesRows(catalog, WARMUP_ROWS, 'warm'), 'warmup')));
    const rows = asRows(salesRows(catalog, count, 'inv'), 'floor');
    const t0 = performance.now();
    await insert(JSON.stringify(rows));
    const seconds = (performance.now() - t0) / 1000;
    const stored = await countOf(database.sql, 'sales');
    if (stored !== WARMUP_ROWS + count)
      throw new Error(`Floor inserted ${stored} rows, expected ${WARMUP_ROWS} + ${count}`);
    return { seconds, rowsPerSecond: count / seconds };
  } finally {
    await database.pglite.close();
  }
}

export const csvImport: Benchmark = async ({ scale, log }) => {
  const sizes = listOption('BENCH_IMPORT_SIZES', [1_000, 3_000], [10_000, 100_000], scale);
  const rounds = Math.round(numberOption('BENCH_IMPORT_ROUNDS', 1, 3, scale));
  const checks: Check[] = [];
  const rows: string[][] = [];
  const data: Record<string, unknown> = {};
  for (const size of sizes) {
    const imports: ImportRun[] = [];
    const floors: FloorRun[] = [];
    // Rounds alternate import and floor, so a noisy stretch of the shared machine hits both; medians are compared.
    for (let round = 1; round <= rounds; round++) {
      log(`${size} rows through POST /sales/import (fresh stack), round ${round}/${rounds}`);
      const api = await viaApi(size, log);
      imports.push(api);
      log(`${size} rows: ${fmt(api.rowsPerSecond, 0)} rows/s in ${fmt(api.seconds)} s; floor insert…`);
      const floor = await floorInsert(demoCatalog(), size);
      floors.push(floor);
      log(`${size} rows floor: ${fmt(floor.rowsPerSecond, 0)} rows/s in ${fmt(floor.seconds)} s`);
    }
    const api = medianRun(imports);
    const floor = medianRun(floors);
    const ratio = api.rowsPerSecond / floor.rowsPerSecond;
    const projectedRatio = api.projectedRowsPerSecond / floor.rowsPerSecond;
    const label = size.toLocaleString('en-US');
    checks.push(
      {
        case: `${label} rows: until the 201`,
        measured: api.rowsPerSecond,
        floor: floor.rowsPerSecond,
        unit: 'rows/s',
        ratio,
        target: `≥ ${MIN_RATIO}× floor`,
        pass: ratio >= MIN_RATIO,
      },
      {
        case: `${label} rows: reflected in /stats/revenue after the last 201`,
        measured: api.reflectedSeconds,
        floor: api.seconds,
        floorLabel: 'import s',
        unit: 's',
        ratio: null,
        target: `≤ import time + ${MAX_REFLECTED_AFTER} s`,
        pass: api.reflectedSeconds <= MAX_REFLECTED_AFTER,
      },
    );
    rows.push([
      label,
      String(api.requests),
      fmt(api.bodyBytes / 1e6, 1),
      fmt(api.seconds),
      fmt(api.rowsPerSecond, 0),
      fmt(api.sqlSeconds),
      `${fmt(api.putSeconds)} (${api.puts.toLocaleString('en-US')} puts)`,
      fmt(Math.max(0, api.seconds - api.sqlSeconds - api.putSeconds)),
      api.outboxLeft.toLocaleString('en-US'),
      fmt(api.reflectedSeconds),
      fmt(api.projectedRowsPerSecond, 0),
      fmt(floor.seconds),
      fmt(floor.rowsPerSecond, 0),
      `${ratioText(ratio)} / ${ratioText(projectedRatio)}`,
    ]);
    data[String(size)] = { api, floor, imports, floors };
  }
  return {
    id: 'csv-import',
    title: '4. CSV import',
    checks,
    table: {
      columns: [
        'Rows',
        'Requests',
        'CSV MB',
        'Import s',
        'Import rows/s',
        'of which SQL s',
        'of which DynamoDB puts s',
        'rest s (HTTP, auth, CSV parse, zod)',
        'Outbox rows left',
        'Reflected after s',
        'Until projected rows/s',
        'Floor s',
        'Floor rows/s',
        'Ratio (201 / projected)',
      ],
      rows,
    },
    notes: [
      `Each size runs ${rounds} round${rounds === 1 ? '' : 's'}, import then floor in turn; the table shows the run of median time of each ` +
        '(results.json keeps every run).',
      'Import: a fresh local stack per size and round, rows from scripts/demo-data.ts (two years of sales, 60 models, EUR and USD, each with an ' +
        'externalId), sent as `text/csv` bodies of at most the gateway\'s 10 MB; "until the 201" runs from the first request to the last ' +
        '201, timed by a client in a worker thread (parse, validate, insert the sales and their changes in one transaction). ' +
        'Imports of more than 200 changes (per model, day and currency) leave them pending for the drain their commit kicks (locally the ' +
        'stack\'s drain, in AWS an asynchronous invoke of the projector; the schedule was an hour away here): "reflected after" runs ' +
        'from the last 201 until GET /stats/revenue (EUR + USD over the whole window, polled every 100 ms) counts every imported sale.',
      "The SQL and DynamoDB columns are the wall-clock time during which at least one such call was in flight (the stack's SQL port " +
        'and aggregate store wrapped with timers), read when the client reports its last 201: the first statements of the drain the ' +
        "commit kicked (it shares the stack's thread) can be in them; the rest is HTTP, token check, CSV parsing, zod validation and " +
        'JSON work.',
      'Floor: the same rows as one `INSERT INTO sales … SELECT … FROM jsonb_to_recordset($1)` into a fresh PGlite with the same schema ' +
        '(same indexes), timed from JSON.stringify of the rows to the end of the statement — no buckets, no outbox, no projection.',
    ],
    data,
  };
};

if (require.main === module) runAlone('csv-import', csvImport);
