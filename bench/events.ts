/**
 * Sales events through the queue vs `POST /sales/batch`, with the same sales, side by side: events/s accepted
 * (and the p99 of a 202), events/s stored end to end (first request to the queue emptied, statuses written,
 * buckets projected), and the batch endpoint's sales/s (201 means stored and projected).
 *
 *   npx tsx bench/events.ts [--quick]    BENCH_EVENTS_REQUESTS (of 500 sales), BENCH_EVENTS_CONCURRENCY
 */
import { catalogStack, fmt, inParallel, numberOption, percentile, timedRequest, tokenFor } from './lib';
import { type Benchmark, type Check, runAlone } from './report';

const PER_REQUEST = 500;
const ACCEPTED_TARGET = 5;
const STORED_TARGET = 0.7;

interface Run {
  seconds: number;
  latencies: number[];
}

function salesFor(modelIds: readonly string[], requests: number) {
  return Array.from({ length: requests }, (_, r) =>
    Array.from({ length: PER_REQUEST }, (_, k) => {
      const i = r * PER_REQUEST + k;
      return {
        modelId: modelIds[i % modelIds.length] ?? '',
        soldAt: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
        quantity: 1 + (i % 3),
        unitPrice: `${20_000 + (i % 5000)}.00`,
      };
    }),
  );
}

async function post(url: string, token: string, path: string, body: unknown, expect: number, run: Run) {
  const { ms } = await timedRequest(`${url}${path}`, token, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    expect,
  });
  run.latencies.push(ms);
}

export const events: Benchmark = async ({ scale, log }) => {
  const requests = Math.round(numberOption('BENCH_EVENTS_REQUESTS', 8, 40, scale));
  const concurrency = Math.round(numberOption('BENCH_EVENTS_CONCURRENCY', 4, 4, scale));
  const total = requests * PER_REQUEST;

  // The batch endpoint: each 201 means stored and projected.
  const batch: Run = { seconds: 0, latencies: [] };
  {
    const { stack, catalog } = await catalogStack();
    try {
      const token = await tokenFor(stack.url, 'demo-writer');
      const bodies = salesFor(
        catalog.models.map((model) => model.id),
        requests,
      );
      const t0 = performance.now();
      await inParallel(bodies, concurrency, (sales) =>
        post(stack.url, token, '/sales/batch', { sales }, 201, batch),
      );
      batch.seconds = (performance.now() - t0) / 1000;
    } finally {
      await stack.close();
    }
  }
  log(`batch: ${fmt(total / batch.seconds, 0)} sales/s`);

  // Events: accepted when every 202 is in, stored when the queue is empty (results written, buckets projected).
  // In AWS the worker is another Lambda; here it shares the process, so it starts once the 202s are in, and
  // the stored rate counts from the first request.
  const accepted: Run = { seconds: 0, latencies: [] };
  let storedSeconds = 0;
  {
    const { stack, catalog } = await catalogStack({ ingest: { startPaused: true } });
    try {
      const token = await tokenFor(stack.url, 'demo-writer');
      const bodies = salesFor(
        catalog.models.map((model) => model.id),
        requests,
      );
      const t0 = performance.now();
      await inParallel(bodies, concurrency, (sales) =>
        post(stack.url, token, '/sales/events', { events: sales }, 202, accepted),
      );
      accepted.seconds = (performance.now() - t0) / 1000;
      stack.ingest.resume();
      await stack.ingest.settled();
      storedSeconds = (performance.now() - t0) / 1000;
      const { rows } = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
      if (rows[0]?.n !== total) throw new Error(`Stored ${rows[0]?.n} of ${total} events`);
    } finally {
      await stack.close();
    }
  }
  const batchRate = total / batch.seconds;
  const acceptedRate = total / accepted.seconds;
  const storedRate = total / storedSeconds;
  log(`events: ${fmt(acceptedRate, 0)} accepted/s, ${fmt(storedRate, 0)} stored/s`);

  const checks: Check[] = [
    {
      case: 'events accepted per second (202) vs batch sales per second (201)',
      measured: acceptedRate,
      floor: batchRate,
      floorLabel: 'batch sales/s',
      unit: '/s',
      ratio: acceptedRate / batchRate,
      target: `≥ ${ACCEPTED_TARGET}× the batch endpoint`,
      pass: acceptedRate >= ACCEPTED_TARGET * batchRate,
    },
    {
      case: 'events stored end to end per second vs batch sales per second',
      measured: storedRate,
      floor: batchRate,
      floorLabel: 'batch sales/s',
      unit: '/s',
      ratio: storedRate / batchRate,
      target: `≥ ${STORED_TARGET}× the batch endpoint`,
      pass: storedRate >= STORED_TARGET * batchRate,
    },
  ];
  const row = (name: string, rate: number, run: Run) => [
    name,
    fmt(rate, 0),
    fmt(percentile(run.latencies, 50), 1),
    fmt(percentile(run.latencies, 99), 1),
  ];
  return {
    id: 'events',
    title: '8. Sales events through the queue vs POST /sales/batch',
    checks,
    table: {
      columns: ['Path', 'Sales/s', 'p50 ms per request', 'p99 ms per request'],
      rows: [
        row('POST /sales/batch (201: stored)', batchRate, batch),
        row('POST /sales/events (202: queued)', acceptedRate, accepted),
        ['events stored end to end', fmt(storedRate, 0), '', ''],
      ],
    },
    notes: [
      `${requests} requests of ${PER_REQUEST} sales (${total} in all), ${concurrency} in flight, over real HTTP on a ` +
        'local stack (in-memory PGlite, dynalite, embedded SQS emulator); each path on its own fresh stack with the demo catalog.',
      'Events: accepted once every 202 is in; stored end to end once the events queue is empty, i.e. every event is in SQL, ' +
        'its buckets projected and its status written, counted from the first request. In AWS intake and worker are separate ' +
        'Lambdas; locally they share one process, so the worker starts after the last 202 rather than slowing the intake.',
    ],
    data: { requests, concurrency, total, batch, accepted, storedSeconds },
  };
};

if (require.main === module) runAlone('events', events);
