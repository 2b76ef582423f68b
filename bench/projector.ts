/**
 * Projector drain rate: a backlog of 100k sales written as ten 10k-sale imports would write it (each bumping its
 * buckets and adding its outbox rows), then one `projector.drain()`: outbox rows/s and buckets/s, and where the
 * time goes, beside the floor: the store's own conditional PutItem of the same items, 16 in flight.
 *
 *   npx tsx bench/projector.ts [--quick]       BENCH_PROJECTOR_SALES, BENCH_PROJECTOR_CHUNK, BENCH_FLOOR_PUTS_IN_FLIGHT
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  allBucketKeys,
  bucketCount,
  bucketsOf,
  outboxShape,
  outboxSize,
} from '../lambdas/shared/projection/bookkeeping';
import { DynamoAggregateStore } from '../lambdas/shared/projection/dynamo-store';
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
const TARGET = 0.8;

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
      projector.drain(1000, (count) => {
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

    // The floor: the store's own conditional-put rate for the very items the drain wrote (one put each).
    await stack.dynamo.client.send(new CreateTableCommand(aggregatesTable(FLOOR_TABLE)));
    const floorStore = new DynamoAggregateStore(stack.dynamo.documents, FLOOR_TABLE);
    const keys = await allBucketKeys(stack.sql);
    const items = (
      await Promise.all(
        Array.from({ length: Math.ceil(keys.length / 500) }, (_, i) =>
          bucketsOf(stack.sql, keys.slice(i * 500, (i + 1) * 500)),
        ),
      )
    ).flat();
    if (items.length !== buckets)
      throw new Error(`The floor read ${items.length} buckets, SQL knows ${buckets}`);
    const [, floorSeconds] = await timed(log, `floor: ${items.length} conditional PutItem`, () =>
      inParallel(items, floorInFlight, (item) => floorStore.put(item)),
    );

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
        floorLabel: 'conditional puts/s',
        unit: 'buckets/s',
        ratio: bucketsPerSecond / floorBucketsPerSecond,
        target: `≥ ${TARGET}× the store's conditional-put rate`,
        pass: bucketsPerSecond / floorBucketsPerSecond >= TARGET,
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
        `${fmt(drainPuts.busyMs / 1000)} (${drainPuts.calls.toLocaleString('en-US')} bulk writes and repairs)`,
      ],
      [
        'floor: one conditional PutItem per bucket',
        '–',
        items.length.toLocaleString('en-US'),
        fmt(floorSeconds),
        '–',
        `${fmt(floorSeconds)} (${items.length.toLocaleString('en-US')} puts, ${floorInFlight} in flight)`,
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
          `imports of ${chunk.toLocaleString('en-US')}, each bumping its buckets and adding outbox rows with the SQL of \`recordChanges\` ` +
          `(built in ${fmt(backlogSeconds)} s), so a bucket touched by several imports has several outbox rows, as after an outage.`,
        'Drain: `new Projector(sql, store).drain()` as the projector Lambda runs it (pages of 1000: copy the buckets with their ' +
          'figures, parts and versions from SQL — no sales are read, and a bucket this drain already copied at its current version ' +
          'is not copied again —, BatchWriteItem of 25 into dynalite, 8 in flight, one SQL ' +
          're-read of the versions to repair any bucket that moved on meanwhile, delete the outbox rows) with the SQL port and the ' +
          'store wrapped in timers; the SQL and DynamoDB columns are wall-clock time with at least one such call in flight.',
        `Floor: the same ${items.length.toLocaleString('en-US')} items (day, pentad, dekad, month and year buckets) written by the store's own ` +
          `conditional PutItem, ${floorInFlight} in flight, into a second dynalite table; buckets/s are compared.`,
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
        floorSeconds,
        floorInFlight,
      },
    };
  } finally {
    await stack.close();
  }
};

if (require.main === module) runAlone('projector', projectorDrain);
