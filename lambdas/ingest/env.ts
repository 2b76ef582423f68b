import * as z from 'zod';
import type { IngestWorkerOptions } from './worker';

/** What the producer (sales function) and the worker both read: the queue and the status table. */
export const ingestEnv = {
  EVENTS_QUEUE_URL: z.url(),
  INGESTIONS_TABLE: z.string().min(1),
  /** Days a status is kept (the table's TTL): at least the week partners are promised. */
  INGEST_STATUS_RETENTION_DAYS: z.coerce.number().int().min(7).max(365),
};

/** The worker's own settings, as one JSON variable (lambdas/ingest/worker.ts says what each means). */
const WorkerSettings = z.strictObject({
  maxReceiveCount: z.number().int().positive(),
  breakerThreshold: z.number().int().positive(),
  breakerOpenMs: z.number().int().positive(),
  slowWriteMs: z.number().int().positive(),
}) satisfies z.ZodType<IngestWorkerOptions>;

export const workerEnv = {
  INGEST_WORKER_SETTINGS: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(WorkerSettings),
};

export function workerEnvironment(options: IngestWorkerOptions): Record<keyof typeof workerEnv, string> {
  const { maxReceiveCount, breakerThreshold, breakerOpenMs, slowWriteMs } = options;
  return {
    INGEST_WORKER_SETTINGS: JSON.stringify({ maxReceiveCount, breakerThreshold, breakerOpenMs, slowWriteMs }),
  };
}
