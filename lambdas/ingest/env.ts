import * as z from 'zod/mini';
import type { IngestWorkerOptions } from './worker';

/** What the producer (sales function) and the worker both read: the queue and the status table. */
export const ingestEnv = {
  EVENTS_QUEUE_URL: z.url(),
  INGESTIONS_TABLE: z.string().check(z.minLength(1)),
  /** Days a status is kept (the table's TTL): at least the week partners are promised. */
  INGEST_STATUS_RETENTION_DAYS: z.coerce.number().check(z.int(), z.gte(7), z.lte(365)),
};

/** The worker's own settings, as one JSON variable (lambdas/ingest/worker.ts says what each means). */
const WorkerSettings = z.strictObject({
  maxReceiveCount: z.number().check(z.int(), z.positive()),
  breakerThreshold: z.number().check(z.int(), z.positive()),
  breakerOpenMs: z.number().check(z.int(), z.positive()),
  slowWriteMs: z.number().check(z.int(), z.positive()),
}) satisfies z.ZodMiniType<IngestWorkerOptions>;

export const workerEnv = {
  INGEST_WORKER_SETTINGS: z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, payload) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          payload.issues.push({ code: 'custom', message: 'must be JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    WorkerSettings,
  ),
};

export function workerEnvironment(options: IngestWorkerOptions): Record<keyof typeof workerEnv, string> {
  const { maxReceiveCount, breakerThreshold, breakerOpenMs, slowWriteMs } = options;
  return {
    INGEST_WORKER_SETTINGS: JSON.stringify({ maxReceiveCount, breakerThreshold, breakerOpenMs, slowWriteMs }),
  };
}
