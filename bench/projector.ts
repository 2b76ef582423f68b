/**
 * Projector drain rate: a backlog of 100k sales written as ten 10k-sale imports would write it (each bumping its
 * buckets and adding its outbox rows), then one `projector.drain()`: outbox rows/s and buckets/s, and where the
 * time goes. The floor materializes the same buckets the least costly way the design allows: one SQL GROUP BY
 * computing every bucket (with its breakdown) and one unconditional PutItem per bucket, 16 in flight.
 *
 *   npx tsx bench/projector.ts [--quick]       BENCH_PROJECTOR_SALES, BENCH_PROJECTOR_CHUNK, BENCH_FLOOR_PUTS_IN_FLIGHT
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { bucketCount, outboxShape, outboxSize } from '../lambdas/shared/projection/bookkeeping';
import { Projector } from '../lambdas/shared/projection/projector';
import { aggregatesTable } from '../local/tables';
import {
  catalogStack,
  fmt,
  inParallel,
  insertGeneratedSales,
  numberOption,
  Stopwatch,
  timed,
  touchBucketsOf,
} from './lib';
import { type Benchmark, type Check, runAlone } from './report';

const FLOOR_TABLE = 'bench-floor-aggregates';

/** Every bucket's figures in one statement: per model, per brand (by model), all (by brand). */
const ALL_BUCKETS_SQL = `
  WITH s AS (
    SELECT s.model_id, m.brand_id, s.sale_day, s.currency::text AS currency, s.quantity, s.unit_price
    FROM sales s JOIN models m ON m.id = s.model_id
  ), per_model AS (
    SELECT model_id, brand_id, sale_day, currency, sum(quantity)::bigint AS units,
           sum(quantity * unit_price) AS revenue, count(*)::int AS orders
    FROM s GROUP BY model_id, brand_id, sale_day, currency
  ), per_brand AS (
    SELECT brand_id, sale_day, currency, sum(units)::bigint AS units, sum(revenue) AS revenue, sum(orders)::int AS orders,
           jsonb_object_agg(model_id::text, jsonb_build_array(units, revenue::text, orders)) AS breakdown
    FROM per_model GROUP BY brand_id, sale_day, currency
  ), per_all AS (
    SELECT sale_day, currency, sum(units)::bigint AS units, sum(revenue) AS revenue, sum(orders)::int AS orders,
           jsonb_object_agg(brand_id::text, jsonb_build_array(units, revenue::text, orders)) AS breakdown
    FROM per_brand GROUP BY sale_day, currency
  )
  SELECT 'model' AS scope, model_id::text AS "scopeId", sale_day AS day, currency, units, revenue::text AS revenue,
         orders, NULL::jsonb AS breakdown FROM per_model
  UNION ALL
  SELECT 'brand', brand_id::text, sale_day, currency, units, revenue::text, orders, breakdown FROM per_brand
  UNION ALL
  SELECT 'all', 'all', sale_day, currency, units, revenue::text, orders, breakdown FROM per_all`;

interface BucketRow {
  scope: string;
  scopeId: string;
  day: string;
  currency: string;
  units: number;
  revenue: string;
  orders: number;
  breakdown: Record<string, unknown> | null;
}

export const projectorDrain: Benchmark = async ({ scale, log }) => {
  const total = Math.round(numberOption('BENCH_PROJECTOR_SALES', 10_000, 100_000, scale));
  const chunk = Math.round(numberOption('BENCH_PROJECTOR_CHUNK', 2_000, 10_000, scale));
  const floorInFlight = Math.round(numberOption('BENCH_FLOOR_PUTS_IN_FLIGHT', 16, 16, scale));
  const { stack, catalog } = await catalogStack();
  try {
    // The backlog: imports whose projection never happened (DynamoDB was down), each with its own outbox rows.
    const [, backlogSeconds] = await timed(
      log,
      `backlog of ${total} sales in imports of ${chunk}`,
      async () => {
        for (let first = 0, k = 1; first < total; first += chunk, k++) {
          const tag = `bench-projector-${k}`;
          await insertGeneratedSales(stack.sql, catalog, {
            first,
            count: Math.min(chunk, total - first),
            tag,
          });
          await touchBucketsOf(stack.sql, tag);
        }
      },
    );
    const shape = await outboxShape(stack.sql);
    const outboxRows = shape.reduce((sum, row) => sum + row.rows, 0);
    const buckets = await bucketCount(stack.sql);
    log(`outbox: ${outboxRows} rows naming ${buckets} buckets`);

    const stopwatch = new Stopwatch();
    const projector = new Projector(stopwatch.sql(stack.sql), stopwatch.store(stack.store));
    let lastLog = performance.now();
    const [projected, drainSeconds] = await timed(log, 'projector.drain()', () =>
      projector.drain(500, (count) => {
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          log(`  drained ${count}/${outboxRows}`);
        }
      }),
    );
    if (projected !== outboxRows) throw new Error(`Drained ${projected} rows, the outbox held ${outboxRows}`);
    const left = await outboxSize(stack.sql);
    if (left !== 0) throw new Error(`${left} outbox rows left after the drain`);
    const drainSql = stopwatch.get('sql');
    const drainPuts = stopwatch.get('put');

    // The floor: the same buckets, computed at once and written once each.
    await stack.dynamo.client.send(new CreateTableCommand(aggregatesTable(FLOOR_TABLE)));
    const [bucketRows, floorSqlSeconds] = await timed(
      log,
      'floor: one GROUP BY of every bucket',
      async () => (await stack.sql.query<BucketRow>(ALL_BUCKETS_SQL)).rows,
    );
    if (bucketRows.length !== buckets)
      throw new Error(`The floor computed ${bucketRows.length} buckets, SQL knows ${buckets}`);
    const [, floorPutSeconds] = await timed(log, `floor: ${bucketRows.length} PutItem`, () =>
      inParallel(bucketRows, floorInFlight, async (row) => {
        const { breakdown, ...figures } = row;
        await stack.dynamo.documents.send(
          new PutCommand({
            TableName: FLOOR_TABLE,
            Item: {
              pk: `${row.scope}#${row.scopeId}#${row.currency}`,
              sk: `DAY#${row.day}`,
              ...figures,
              version: 1,
              ...(breakdown ? { breakdown } : {}),
            },
          }),
        );
      }),
    );
    const floorSeconds = floorSqlSeconds + floorPutSeconds;

    const rowsPerSecond = outboxRows / drainSeconds;
    const bucketsPerSecond = buckets / drainSeconds;
    const floorBucketsPerSecond = buckets / floorSeconds;
    const checks: Check[] = [
      {
        case: `drain of ${total.toLocaleString('en-US')} sales: outbox rows/s`,
        measured: rowsPerSecond,
        floor: null,
        unit: 'rows/s',
        ratio: null,
        target: `${outboxRows.toLocaleString('en-US')} outbox rows in ${fmt(drainSeconds)} s`,
        pass: null,
      },
      {
        case: `drain of ${total.toLocaleString('en-US')} sales: buckets/s`,
        measured: bucketsPerSecond,
        floor: floorBucketsPerSecond,
        unit: 'buckets/s',
        ratio: bucketsPerSecond / floorBucketsPerSecond,
        target: `${buckets.toLocaleString('en-US')} buckets (no target set)`,
        pass: null,
      },
    ];
    const rows: string[][] = [
      ...shape.map((row) => [
        `outbox: ${row.scope} scope`,
        row.rows.toLocaleString('en-US'),
        row.buckets.toLocaleString('en-US'),
        '',
        '',
        '',
      ]),
      [
        '**projector.drain()**',
        outboxRows.toLocaleString('en-US'),
        buckets.toLocaleString('en-US'),
        fmt(drainSeconds),
        `${fmt(drainSql.busyMs / 1000)} (${drainSql.calls} statements)`,
        `${fmt(drainPuts.busyMs / 1000)} (${drainPuts.calls.toLocaleString('en-US')} conditional puts)`,
      ],
      [
        'floor: one GROUP BY + one put per bucket',
        '–',
        bucketRows.length.toLocaleString('en-US'),
        fmt(floorSeconds),
        fmt(floorSqlSeconds),
        `${fmt(floorPutSeconds)} (${bucketRows.length.toLocaleString('en-US')} puts)`,
      ],
    ];
    return {
      id: 'projector',
      title: '6. Projector drain rate',
      checks,
      table: {
        columns: ['', 'Outbox rows', 'Buckets', 'Seconds', 'of which SQL s', 'of which DynamoDB s'],
        rows,
      },
      notes: [
        `Backlog: ${total.toLocaleString('en-US')} generated sales (demo catalog, two years, EUR/USD) written as ${Math.ceil(total / chunk)} ` +
          `imports of ${chunk.toLocaleString('en-US')}, each bumping its buckets and adding outbox rows with the SQL of \`touchBuckets\` ` +
          `(built in ${fmt(backlogSeconds)} s), so a bucket touched by several imports has several outbox rows, as after an outage.`,
        'Drain: `new Projector(sql, store).drain()` as the projector Lambda runs it (pages of 500: recompute from SQL, conditional ' +
          'PutItem per bucket into dynalite, delete the outbox rows) with the SQL port and the store wrapped in timers; the SQL and ' +
          'DynamoDB columns are wall-clock time with at least one such call in flight.',
        `Floor: one GROUP BY computing every bucket with its breakdown (${fmt(floorSqlSeconds)} s) and one unconditional PutItem per ` +
          `bucket, ${floorInFlight} in flight, into a second dynalite table; buckets/s are compared (the floor writes each bucket once).`,
        'dynalite (LevelDB in memory, in the same Node process) stands in for DynamoDB: a put here costs what it costs dynalite, not AWS.',
      ],
      data: {
        total,
        chunk,
        backlogSeconds,
        shape,
        outboxRows,
        buckets,
        drainSeconds,
        drainSql,
        drainPuts,
        floorSqlSeconds,
        floorPutSeconds,
        floorInFlight,
      },
    };
  } finally {
    await stack.close();
  }
};

if (require.main === module) runAlone('projector', projectorDrain);
