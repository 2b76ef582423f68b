import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';

/**
 * One unit of work: an API request, a catalog lookup, a queue message, a drain. Its keys go on every log line
 * written while it runs, and its metrics are published when it ends (lambdas/shared/metrics.ts).
 */
export interface Invocation {
  /** The `service` dimension of its metrics: the function (brand, sales, ingest, projector, ...). */
  readonly service: string;
  /** The `operation` dimension of its SQL metrics: the API operationId, or drain / ingest / migrate. */
  operation: string;
  /** The request id a caller sent (validated) or the gateway's, passed on to catalog calls and queued events. */
  readonly requestId?: string;
  /** Keys on every log line it writes: requestId, clientId, operation, batchId... */
  readonly logKeys: Record<string, string>;
  /** What it recorded, published once at its end; shared by the nested units of work (a batch's messages). */
  readonly recorded: Recorded;
}

/** Metric values of one invocation, before they are published. */
export interface Recorded {
  values: [name: string, value: number][];
  /** Milliseconds of each SQL statement. */
  sqlMs: number[];
}

/**
 * The current invocation, per asynchronous context: in Lambda one at a time, but the local server runs every
 * function in one process, and a batch's records are processed in parallel, so module state would mix them.
 */
const invocations = new AsyncLocalStorage<Invocation>();

export const currentInvocation = (): Invocation | undefined => invocations.getStore();

export function runInvocation<T>(invocation: Invocation, work: () => T): T {
  return invocations.run(invocation, work);
}

/** Runs `work` as a part of the current invocation with more log keys (a request id of its own, a batch id). */
export function withLogKeys<T>(keys: Record<string, string>, work: () => T): T {
  const current = invocations.getStore();
  if (!current) return work();
  return invocations.run(
    { ...current, requestId: keys.requestId ?? current.requestId, logKeys: { ...current.logKeys, ...keys } },
    work,
  );
}

/**
 * Powertools' logger, with the current invocation's keys on each line. They are read when a line is written,
 * not appended per request (appendKeys costs a few µs, and its keys are global to the process), so a line
 * never carries another invocation's request id and nothing needs clearing between invocations.
 */
class InvocationLogger extends Logger {
  protected override createAndPopulateLogItem(
    logLevel: number,
    input: LogItemMessage,
    extraInput: LogItemExtraInput,
  ): LogItem {
    const item = super.createAndPopulateLogItem(logLevel, input, extraInput);
    const keys = invocations.getStore()?.logKeys;
    if (keys) {
      // After the line's own keys, which win over the invocation's.
      const own = item.getAttributes();
      item.setAttributes({ ...own, ...keys, ...own });
    }
    return item;
  }
}

/** One logger for every function, so all log the same JSON shape (service, request id, client id). */
export const logger: Logger = new InvocationLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'car-sales-api',
});
