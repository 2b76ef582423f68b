/**
 * The local gateway under load (autocannon, in process): `GET /brands/{id}` and `GET /models/{id}/sales` at 1, 10
 * and 50 connections, beside a bare `node:http` server answering the same question from its own PGlite holding
 * the same rows (the floor: one SELECT by id; one SQL GROUP BY over the model's sales).
 *
 *   npx tsx bench/gateway-load.ts [--quick]    BENCH_LOAD_SECONDS, BENCH_LOAD_SALES, BENCH_LOAD_CONNECTIONS=1,10,50
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import autocannon, { type Result } from 'autocannon';
import { openDatabase } from '../local/engines';
import {
  catalogStack,
  fmt,
  insertCatalog,
  insertGeneratedSales,
  listOption,
  loadSales,
  numberOption,
  ratioText,
  timedRequest,
  tokenFor,
  topModel,
} from './lib';
import { type Benchmark, type Check, runAlone } from './report';

const MAX_P99_RATIO = 2;
/** A quarter of days, as a dashboard would ask. */
const RANGE = { from: '2025-01-01', to: '2025-03-31' };

const BRAND_SQL =
  'SELECT id, name, country, created_at AS "createdAt", updated_at AS "updatedAt" FROM brands WHERE id = $1';
const MODEL_SALES_SQL = `SELECT sale_day AS day, sum(quantity)::int AS units, sum(quantity * unit_price)::text AS revenue,
         count(*)::int AS orders
  FROM sales WHERE model_id = $1 AND currency = 'EUR' AND sale_day BETWEEN $2 AND $3
  GROUP BY sale_day ORDER BY sale_day`;

/** The floor: node:http + PGlite, no routing table, no auth, no validation, no Lambda event. */
function floorServer(pglite: PGlite): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const brand = /^\/brands\/([^/]+)$/.exec(url.pathname);
    const model = /^\/models\/([^/]+)\/sales$/.exec(url.pathname);
    const answer = brand
      ? pglite.query(BRAND_SQL, [brand[1]]).then((result) => result.rows[0])
      : model
        ? pglite
            .query(MODEL_SALES_SQL, [model[1], url.searchParams.get('from'), url.searchParams.get('to')])
            .then((result) => ({ modelId: model[1], days: result.rows }))
        : Promise.resolve(undefined);
    answer.then(
      (body) => {
        response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body ?? { status: 404 }));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
  });
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

const summary = (result: Result): Run => ({
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.timeouts + result.non2xx,
  total: result.requests.total,
});

export const gatewayLoad: Benchmark = async ({ scale, log }) => {
  const seconds = numberOption('BENCH_LOAD_SECONDS', 1, 5, scale);
  const salesCount = Math.round(numberOption('BENCH_LOAD_SALES', 2_000, 20_000, scale));
  const connectionsList = listOption('BENCH_LOAD_CONNECTIONS', [1, 10, 50], [1, 10, 50], scale);

  log('starting the local stack (PGlite + dynalite) and the floor database');
  const { stack, catalog } = await catalogStack();
  const floorDb = await openDatabase();
  let floor: Server | undefined;
  try {
    const phases = await loadSales(stack, catalog, { first: 0, count: salesCount, tag: 'bench-load', log });
    await insertCatalog(floorDb.sql, catalog);
    await insertGeneratedSales(floorDb.sql, catalog, { first: 0, count: salesCount, tag: 'bench-load' });
    floor = floorServer(floorDb.pglite);
    await new Promise<void>((done) => floor?.listen(0, '127.0.0.1', done));
    const floorUrl = `http://127.0.0.1:${(floor.address() as AddressInfo).port}`;
    const token = await tokenFor(stack.url, 'demo-reader');
    const headers = { authorization: `Bearer ${token}` };

    const model = topModel(catalog);
    const brandId = catalog.brands[0]?.id ?? '';
    const routes = [
      { name: 'GET /brands/{id}', path: `/brands/${brandId}` },
      {
        name: 'GET /models/{id}/sales (day, one quarter)',
        path: `/models/${model.id}/sales?from=${RANGE.from}&to=${RANGE.to}&granularity=day`,
      },
    ];
    // Both answer before the load starts (and the catalog cache of stats is warm, as it is in steady state).
    for (const route of routes) {
      await timedRequest(stack.url + route.path, token);
      await timedRequest(floorUrl + route.path, token);
    }

    const checks: Check[] = [];
    const rows: string[][] = [];
    const data: Record<string, unknown> = { phases, salesCount, seconds };
    for (const route of routes) {
      for (const connections of connectionsList) {
        const runs: Record<'gateway' | 'floor', Run> = {} as Record<'gateway' | 'floor', Run>;
        // Alternating which goes first, so neither always runs on a warmer (or busier) process.
        const order = [
          ['floor', floorUrl],
          ['gateway', stack.url],
        ] as const;
        for (const [kind, base] of rows.length % 2 === 0 ? order : [...order].reverse()) {
          const url = base + route.path;
          await autocannon({ url, connections, duration: Math.min(1, seconds), headers }); // warm-up
          runs[kind] = summary(await autocannon({ url, connections, duration: seconds, headers }));
          log(
            `${route.name} ×${connections} ${kind}: ${fmt(runs[kind].requestsPerSecond, 0)} req/s, ` +
              `p50 ${runs[kind].p50} ms, p99 ${runs[kind].p99} ms, errors ${runs[kind].errors}`,
          );
        }
        const { gateway, floor: bare } = runs;
        const ratio = gateway.p99 / Math.max(1, bare.p99);
        checks.push({
          case: `${route.name}, ${connections} connection${connections === 1 ? '' : 's'}: p99`,
          measured: gateway.p99,
          floor: bare.p99,
          unit: 'ms',
          ratio,
          target: `≤ ${MAX_P99_RATIO}× floor, 0 errors (${gateway.errors} errors)`,
          pass: ratio <= MAX_P99_RATIO && gateway.errors === 0,
        });
        rows.push([
          route.name,
          String(connections),
          fmt(gateway.requestsPerSecond, 0),
          fmt(bare.requestsPerSecond, 0),
          String(gateway.p50),
          String(bare.p50),
          String(gateway.p99),
          String(bare.p99),
          String(gateway.errors),
          String(bare.errors),
          ratioText(ratio),
        ]);
        data[`${route.name} ×${connections}`] = runs;
      }
    }
    return {
      id: 'gateway-load',
      title: '3. Local gateway under load',
      checks,
      table: {
        columns: [
          'Route',
          'Connections',
          'Gateway req/s',
          'Floor req/s',
          'Gateway p50 ms',
          'Floor p50 ms',
          'Gateway p99 ms',
          'Floor p99 ms',
          'Gateway errors',
          'Floor errors',
          'p99 ratio',
        ],
        rows,
      },
      notes: [
        `autocannon in the same process as both servers, ${seconds} s per run after a ${Math.min(1, seconds)} s warm-up, ` +
          'floor and gateway taking turns to go first; ' +
          'errors = connection errors + timeouts + non-2xx answers.',
        'Gateway: `startLocalStack` — route match, token check (local Cognito: RS256, each token verified once until it expires; client and scope per request), Lambda proxy event, the real handlers; ' +
          'brand reads PGlite through the SQL port; per-model sales reads the DynamoDB buckets (dynalite, over loopback HTTP) ' +
          'and the model name through the stats catalog cache (warm).',
        'Floor: a bare `node:http` server over its own PGlite holding the same catalog and sales: `SELECT … FROM brands WHERE id = $1`, and ' +
          `\`SELECT sale_day, sum(quantity), sum(quantity * unit_price), count(*) … WHERE model_id = $1 AND sale_day BETWEEN … GROUP BY sale_day\` (EUR, ${RANGE.from}…${RANGE.to}).`,
        `Data: the demo catalog (10 brands, 60 models) and ${salesCount} generated sales over ${phases.outboxRows} buckets (2 years); ` +
          'the most popular model is asked.',
        'autocannon records latency in whole milliseconds: a ratio against a floor p99 of 0–1 ms is taken against 1 ms.',
      ],
      data,
    };
  } finally {
    await new Promise<void>((done) => (floor ? floor.close(() => done()) : done()));
    await floorDb.pglite.close();
    await stack.close();
  }
};

if (require.main === module) runAlone('gateway-load', gatewayLoad);
