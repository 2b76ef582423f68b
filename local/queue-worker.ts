import { setTimeout as sleep } from 'node:timers/promises';
import { createIngestHandler } from '../lambdas/ingest/handler';
import { SqsEventQueue } from '../lambdas/ingest/queue';
import type { IngestionStatuses } from '../lambdas/ingest/statuses';
import { IngestWorker, type IngestWorkerOptions } from '../lambdas/ingest/worker';
import type { Sales } from '../lambdas/sales/sales';
import { DEFAULTS } from '../lib/defaults';
import { lambdaContext } from './gateway';
import { openQueues } from './queue';
import { QueuePoller, type SqsHandler } from './queue-poller';

export interface LocalIngestSettings extends IngestWorkerOptions {
  /** Records per worker invocation (the event source's batch size). */
  batchSize: number;
  /** Worker invocations at once (the event source's maximum concurrency). */
  maxConcurrency: number;
  /** Seconds a received message stays invisible; a failed one comes back after it. */
  visibilityTimeoutSeconds: number;
  /** Leaves the worker stopped until `resume()` (benchmarks time acceptance alone, as separate Lambdas are). */
  startPaused: boolean;
}

/** The deployed defaults, with a shorter breaker window (lib/defaults.ts). */
const LOCAL_INGEST_DEFAULTS = {
  maxReceiveCount: DEFAULTS.ingest.maxReceiveCount,
  breakerThreshold: DEFAULTS.ingest.breakerThreshold,
  slowWriteMs: DEFAULTS.ingest.slowWriteMs,
  batchSize: DEFAULTS.ingest.batchSize,
  maxConcurrency: DEFAULTS.ingest.maxConcurrency,
  ...DEFAULTS.ingest.local,
  startPaused: false,
} as const satisfies LocalIngestSettings;

export interface LocalIngestOptions {
  dataDir: string | undefined;
  sales: Sales;
  statuses: IngestionStatuses;
  settings?: Partial<LocalIngestSettings>;
  /** Test seam: wrap the worker's handler, e.g. to crash it mid-batch or after the commit. */
  wrapHandler?: (handler: SqsHandler) => SqsHandler;
  log?: (line: string) => void;
}

/**
 * The queue side of `POST /sales/events`, locally: the embedded SQS emulator with its dead-letter queue, and
 * the same ingest worker as in AWS, invoked by a poller that behaves like Lambda's SQS event source.
 */
export async function startLocalIngest(options: LocalIngestOptions) {
  const settings = { ...LOCAL_INGEST_DEFAULTS, ...options.settings };
  const queues = await openQueues(options.dataDir, settings);
  const queue = new SqsEventQueue(queues.client, queues.queueUrl);
  const worker = new IngestWorker(options.sales, options.statuses, settings);
  const handler = createIngestHandler({ worker, messages: queue });
  const poller = new QueuePoller({
    client: queues.client,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    handler: options.wrapHandler?.(handler) ?? handler,
    batchSize: settings.batchSize,
    maxConcurrency: settings.maxConcurrency,
    waitTimeSeconds: 1,
    holdOffMs: () => worker.holdOffMs(),
    context: (requestId) => lambdaContext('sales', requestId),
    log: options.log,
  });
  if (!settings.startPaused) poller.start();

  return {
    queue,
    worker,
    queues,
    /** Waiting and in-flight messages of the events queue and the dead-letter queue. */
    depth: async () => ({
      queue: await queues.depth(queues.queueUrl),
      deadLetters: await queues.depth(queues.deadLetterUrl),
    }),
    /** Resolves once the events queue holds nothing, waiting or in flight (failed messages come back first). */
    async settled(timeoutMs = 300_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { visible, inFlight, delayed } = await queues.depth(queues.queueUrl);
        if (visible + inFlight + delayed === 0) return;
        if (Date.now() > deadline) throw new Error(`The events queue did not empty in ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    /** Starts a worker left paused. */
    resume: () => poller.start(),
    async close() {
      await poller.stop();
      await queues.close();
    },
  };
}

export type LocalIngest = Awaited<ReturnType<typeof startLocalIngest>>;
