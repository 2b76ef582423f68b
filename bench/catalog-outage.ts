/**
 * Stats while the catalog hangs: 50 consecutive `GET /stats/models/top` over real HTTP on a local stack whose
 * brand and model reads never answer, beside the same 50 on a stack whose catalog is healthy. Both start with
 * a cold name cache. The breaker should make the hanging run cost about one catalog timeout more in total, not
 * one per request.
 *
 *   npx tsx bench/catalog-outage.ts [--quick]    BENCH_OUTAGE_REQUESTS (default 50), BENCH_OUTAGE_SALES
 */

import type { Sql } from '../lambdas/shared/sql/port';
import { DEFAULTS } from '../lib/defaults';
import { catalogStack, fmt, loadSales, numberOption, percentile, timedRequest, tokenFor } from './lib';
import { type Benchmark, type Check, runAlone } from './report';

/** The brand and model services' single-row reads, which a hanging catalog never answers. */
const CATALOG_READ = /\bFROM (brands|models) WHERE id = :id::uuid(?!\s+FOR UPDATE)/;
/** A quarter, as a dashboard asks: the figures cost a few Queries, so the catalog's share stands out. */
const TOP = '/stats/models/top?from=2025-01-01&to=2025-03-31&limit=10';

interface Run {
  totalMs: number;
  latencies: number[];
  catalogCalls: number;
  namesStale: number;
}

async function run(hanging: boolean, requests: number, sales: number): Promise<Run> {
  const counter = { calls: 0 };
  const wrapSql = (sql: Sql): Sql => ({
    query(text, params) {
      if (CATALOG_READ.test(text)) {
        counter.calls += 1;
        if (hanging) return new Promise(() => {});
      }
      return sql.query(text, params);
    },
    transaction: (work) => sql.transaction((tx) => work(wrapSql(tx))),
  });
  const { stack, catalog } = await catalogStack({ wrapSql });
  try {
    await loadSales(stack, catalog, { first: 0, count: sales, tag: 'outage', log: () => {} });
    const token = await tokenFor(stack.url, 'demo-reader');
    const latencies: number[] = [];
    let namesStale = 0;
    const t0 = performance.now();
    for (let i = 0; i < requests; i += 1) {
      const { ms, text } = await timedRequest(`${stack.url}${TOP}`, token);
      latencies.push(ms);
      if ((JSON.parse(text) as { namesStale: boolean }).namesStale) namesStale += 1;
    }
    return { totalMs: performance.now() - t0, latencies, catalogCalls: counter.calls, namesStale };
  } finally {
    await stack.close();
  }
}

export const catalogOutage: Benchmark = async ({ scale, log }) => {
  const requests = Math.round(numberOption('BENCH_OUTAGE_REQUESTS', 50, 50, scale));
  const sales = Math.round(numberOption('BENCH_OUTAGE_SALES', 2_000, 20_000, scale));
  const { timeoutMs, breakerOpenMs } = DEFAULTS.catalog;
  const healthy = await run(false, requests, sales);
  log(
    `healthy: ${fmt(healthy.totalMs, 0)} ms for ${requests} requests, ${healthy.catalogCalls} catalog calls`,
  );
  const hanging = await run(true, requests, sales);
  log(
    `hanging: ${fmt(hanging.totalMs, 0)} ms for ${requests} requests, ${hanging.catalogCalls} catalog calls`,
  );

  // The breaker's promise: one timeout per window the run lasted, not one per request.
  const windows = 1 + Math.floor(hanging.totalMs / breakerOpenMs);
  const extraMs = hanging.totalMs - healthy.totalMs;
  const allowedMs = windows * timeoutMs * 1.5;
  const checks: Check[] = [
    {
      case: `${requests} stats requests, catalog hanging vs healthy: extra time in total`,
      measured: extraMs,
      floor: windows * timeoutMs,
      floorLabel: `${windows} × catalog timeout`,
      unit: 'ms',
      ratio: extraMs / (windows * timeoutMs),
      target: `≤ 1.5 × (one ${timeoutMs} ms timeout per ${breakerOpenMs / 1000} s breaker window)`,
      pass: extraMs <= allowedMs,
    },
  ];
  const row = (name: string, r: Run) => [
    name,
    fmt(r.totalMs, 0),
    fmt(percentile(r.latencies, 50), 1),
    fmt(percentile(r.latencies, 99), 1),
    fmt(Math.max(...r.latencies), 0),
    String(r.catalogCalls),
    `${r.namesStale}/${requests}`,
  ];
  return {
    id: 'catalog-outage',
    title: '7. Stats while the catalog hangs (circuit breaker)',
    checks,
    table: {
      columns: ['Catalog', 'Total ms', 'p50 ms', 'p99 ms', 'Max ms', 'Catalog calls', 'namesStale answers'],
      rows: [row('healthy', healthy), row('hanging', hanging)],
    },
    notes: [
      `Two local stacks (in-memory PGlite + dynalite), each with the demo catalog, ${sales} generated sales and a cold ` +
        `name cache; ${requests} sequential \`GET ${TOP}\` over real HTTP (10 ranked models, their brands).`,
      'Hanging: the brand and model functions’ reads never settle. The stats service’s catalog client (defaults: ' +
        `timeout ${timeoutMs} ms, breaker opens after ${DEFAULTS.catalog.breakerThreshold} failed lookup, ` +
        `stays open ${breakerOpenMs} ms) waits out one timeout with the first request’s lookups in parallel, then ` +
        'answers from the cache, names null, `namesStale: true`, without calling the catalog.',
    ],
    data: { requests, sales, healthy, hanging, windows, timeoutMs, breakerOpenMs },
  };
};

if (require.main === module) runAlone('catalog-outage', catalogOutage);
