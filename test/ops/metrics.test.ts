/**
 * The metric contract, read locally: the functions publish EMF (lambdas/shared/metrics.ts) and the local server
 * serves the same values as Prometheus text at GET /metrics (admin scope). Over real HTTP: each counter moves by
 * what the calls did, per service and operation.
 */
import { describe, expect } from 'vitest';
import type { AggregateStore } from '../../lambdas/shared/projection/aggregates';
import type { Sql } from '../../lambdas/shared/sql/port';
import { expectData, expectProblem, one } from '../support/api';
import { raw, stackTest } from '../support/fixtures';
import { brandWithModel } from './catalog';

/** The catalog services' single-row reads, failed on demand (as test/stats/stale-names.test.ts does). */
const CATALOG_READ = /\bFROM (brands|models) WHERE id = :id::uuid(?!\s+FOR UPDATE)/;
const catalogDown = { on: false };

function failingCatalogReads(sql: Sql): Sql {
  return {
    query(text, params) {
      if (catalogDown.on && CATALOG_READ.test(text))
        return Promise.reject(new Error('injected: catalog database unavailable'));
      return sql.query(text, params);
    },
    transaction: (work) => sql.transaction((tx) => work(failingCatalogReads(tx))),
  };
}

/** The aggregates store refusing bulk writes on demand: writes then leave their buckets in the outbox. */
const storeDown = { on: false };

function failingBulkWrites(store: AggregateStore): AggregateStore {
  return Object.assign(Object.create(store) as AggregateStore, {
    putMany: (aggregates: Parameters<AggregateStore['putMany']>[0]) =>
      storeDown.on ? Promise.reject(new Error('injected: store unavailable')) : store.putMany(aggregates),
  });
}

const test = stackTest({
  projectorIntervalMs: 0,
  wrapSql: failingCatalogReads,
  wrapStore: failingBulkWrites,
  catalog: { attempts: 1, breakerThreshold: 1, breakerOpenMs: 60_000, timeoutMs: 2000 },
});

type Samples = Map<string, number>;

/** `name{labels} value` lines of the exposition text, by `name{labels}`. */
function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const value = (samples: Samples, series: string) => samples.get(series) ?? 0;

const RANGE = 'from=2025-01-01&to=2025-12-31';

describe('GET /metrics (local, admin only)', () => {
  test('answers Prometheus text to an admin, 403 to readers and writers, 401 without a token', async ({
    admin,
    reader,
    writer,
    stack,
  }) => {
    const answer = await raw(admin).get('/metrics');
    const refusedReader = await raw(reader).get('/metrics');
    const refusedWriter = await raw(writer).get('/metrics');
    const anonymous = await fetch(`${stack.url}/metrics`);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expectProblem(refusedReader, 403);
    expectProblem(refusedWriter, 403);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('counts sales written, rows imported and SQL statements per operation', async ({ admin, writer }) => {
    const { model, sale } = await brandWithModel(admin, 'Metric Motors', '2025-03-01T10:00:00Z');
    const before = parse((await raw(admin).get<string>('/metrics')).text);

    expectData(await writer.POST('/sales', { body: sale }), 201);
    expectData(await writer.POST('/sales/batch', { body: { sales: [sale, sale] } }), 201);
    const csv = `modelId,soldAt,quantity,unitPrice\n${[1, 2, 3, 4].map(() => `${model.id},2025-03-02T10:00:00Z,1,50.00`).join('\n')}\n`;
    const imported = await raw(writer).request('POST', '/sales/import', {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    const after = parse((await raw(admin).get<string>('/metrics')).text);

    expect(imported.status, imported.text).toBe(201);
    const moved = (series: string) => value(after, series) - value(before, series);
    expect(moved('car_sales_api_sales_written_total{service="sales"}')).toBe(1 + 2 + 4);
    expect(moved('car_sales_api_rows_imported_total{service="sales"}')).toBe(4);
    expect(
      moved('car_sales_api_sql_statements_total{service="sales",operation="createSale"}'),
    ).toBeGreaterThan(0);
    const latencyCount =
      'car_sales_api_sql_latency_seconds_count{service="sales",operation="createSalesBatch"}';
    const latencySum = 'car_sales_api_sql_latency_seconds_sum{service="sales",operation="createSalesBatch"}';
    expect(moved(latencyCount)).toBe(
      moved('car_sales_api_sql_statements_total{service="sales",operation="createSalesBatch"}'),
    );
    expect(moved(latencySum)).toBeGreaterThan(0);
    // The metrics call itself runs no function: reading twice changes nothing.
    expect(parse((await raw(admin).get<string>('/metrics')).text)).toEqual(after);
  });

  test('counts events accepted, then stored and rejected by the worker, and the backlog and lag of a drain', async ({
    admin,
    writer,
    stack,
  }) => {
    const { sale } = await brandWithModel(admin, 'Event Metrics', '2025-04-01T10:00:00Z');
    const unknownModel = { ...sale, modelId: '00000000-0000-4000-8000-000000000009' };
    const before = parse((await raw(admin).get<string>('/metrics')).text);

    storeDown.on = true;
    const accepted = await writer.POST('/sales/events', { body: { events: [sale, sale, unknownModel] } });
    await stack.ingest.settled();
    storeDown.on = false;
    await stack.drain();
    const after = parse((await raw(admin).get<string>('/metrics')).text);

    expectData(accepted, 202);
    const moved = (series: string) => value(after, series) - value(before, series);
    expect(moved('car_sales_api_events_accepted_total{service="sales"}')).toBe(3);
    expect(moved('car_sales_api_events_stored_total{service="ingest"}')).toBe(2);
    expect(moved('car_sales_api_events_rejected_total{service="ingest"}')).toBe(1);
    expect(moved('car_sales_api_sales_written_total{service="ingest"}')).toBe(2);
    expect(moved('car_sales_api_sql_statements_total{service="ingest",operation="ingest"}')).toBeGreaterThan(
      0,
    );
    // The drain found what the worker's write could not project (and the timer is off).
    expect(value(after, 'car_sales_api_outbox_backlog{service="projector"}')).toBeGreaterThan(0);
    expect(after.has('car_sales_api_outbox_oldest_age_seconds{service="projector"}')).toBe(true);
    expect(value(after, 'car_sales_api_projection_lag_seconds{service="projector"}')).toBeGreaterThanOrEqual(
      0,
    );
    expect(after.has('car_sales_api_projection_lag_seconds{service="projector"}')).toBe(true);
    expect(
      moved('car_sales_api_sql_statements_total{service="projector",operation="drain"}'),
    ).toBeGreaterThan(0);

    // The next drain finds the outbox empty.
    await stack.drain();
    const drained = parse((await raw(admin).get<string>('/metrics')).text);
    expect(value(drained, 'car_sales_api_outbox_backlog{service="projector"}')).toBe(0);
  });

  test('counts catalog fallbacks and a breaker opening when stats run while the catalog fails', async ({
    admin,
    writer,
    reader,
  }) => {
    const { brand, sale } = await brandWithModel(admin, 'Fallback Cars', '2025-05-01T10:00:00Z');
    expectData(await writer.POST('/sales', { body: sale }), 201);
    const before = parse((await raw(admin).get<string>('/metrics')).text);

    catalogDown.on = true;
    const stats = await raw(reader).get<{ items: { modelName: string | null }[]; namesStale: boolean }>(
      `/stats/models/top?${RANGE}&by=units&brandId=${brand.id}`,
    );
    catalogDown.on = false;
    const after = parse((await raw(admin).get<string>('/metrics')).text);

    expect(stats.status, stats.text).toBe(200);
    expect(stats.body.namesStale).toBe(true);
    expect(one(stats.body.items).modelName).toBeNull();
    const moved = (series: string) => value(after, series) - value(before, series);
    expect(moved('car_sales_api_catalog_fallbacks_total{service="stats"}')).toBeGreaterThan(0);
    expect(moved('car_sales_api_catalog_breaker_opened_total{service="stats"}')).toBe(1);
  });
});
