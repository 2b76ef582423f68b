import * as z from 'zod';
import type { IngestWorkerOptions } from './worker';

/** What the producer (sales function) and the worker both read: the queue and the status table. */
export const ingestEnv = {
  EVENTS_QUEUE_URL: z.url(),
  INGESTIONS_TABLE: z.string().min(1),
  /** Days a status is kept (the table's TTL): at least the week partners are promised. */
  INGEST_STATUS_RETENTION_DAYS: z.coerce.number().int().min(7).max(365),
};

/** The worker's own settings. */
export const workerEnv = {
  INGEST_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
  INGEST_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1000),
  INGEST_BREAKER_OPEN_MS: z.coerce.number().int().min(100).max(900_000),
  INGEST_SLOW_WRITE_MS: z.coerce.number().int().min(100).max(900_000),
};

type WorkerEnv = { [K in keyof typeof workerEnv]: z.infer<(typeof workerEnv)[K]> };

export function workerOptions(env: WorkerEnv): IngestWorkerOptions {
  return {
    maxReceiveCount: env.INGEST_MAX_RECEIVE_COUNT,
    breakerThreshold: env.INGEST_BREAKER_THRESHOLD,
    breakerOpenMs: env.INGEST_BREAKER_OPEN_MS,
    slowWriteMs: env.INGEST_SLOW_WRITE_MS,
  };
}

export function workerEnvironment(options: IngestWorkerOptions): Record<keyof typeof workerEnv, string> {
  return {
    INGEST_MAX_RECEIVE_COUNT: String(options.maxReceiveCount),
    INGEST_BREAKER_THRESHOLD: String(options.breakerThreshold),
    INGEST_BREAKER_OPEN_MS: String(options.breakerOpenMs),
    INGEST_SLOW_WRITE_MS: String(options.slowWriteMs),
  };
}
