import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { Sales } from '../sales/sales';
import {
  ConflictError,
  DomainError,
  type FieldIssue,
  UnavailableError,
  ValidationError,
} from '../shared/errors';
import { PROBLEM_BASE } from '../shared/http/problem';
import { recordMetric } from '../shared/metrics';
import { logger } from '../shared/powertools';
import { INGESTION_FAILED, type IngestMessage, ingestionIdOf, saleIdOf } from './messages';
import type { IngestionResult, IngestionStatuses, Reason } from './statuses';

export interface IngestWorkerOptions {
  /** Receives of a message before it goes to the dead-letter queue (the queue's redrive policy). */
  maxReceiveCount: number;
  /** Consecutive failed or slow writes that open the database breaker. */
  breakerThreshold: number;
  /** How long the open breaker keeps the worker from writing (and the poller from pulling). */
  breakerOpenMs: number;
  /** A write slower than this counts as a failure for the breaker: the database is struggling. */
  slowWriteMs: number;
}

/**
 * Stores queued sales events through the same use case as `POST /sales/batch`, one transaction per message.
 * Idempotent: each event's sale id is derived from its ingestion id, so a redelivered message finds what an
 * earlier delivery stored; events the use case refuses (unknown model, taken externalId) are rejected one by
 * one and the rest stored. A circuit breaker stops writing while the database fails or slows.
 */
export class IngestWorker {
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;
  /** Times the breaker opened since start (logs and tests). */
  breakerOpenings = 0;

  constructor(
    private readonly sales: Sales,
    private readonly statuses: IngestionStatuses,
    private readonly options: IngestWorkerOptions,
    private readonly now: () => number = Date.now,
  ) {
    const databaseTrouble = handleWhen(
      (error) => !(error instanceof DomainError) || error instanceof UnavailableError,
    ).orWhenResult((ms) => typeof ms === 'number' && ms > options.slowWriteMs);
    this.breaker = circuitBreaker(databaseTrouble, {
      halfOpenAfter: options.breakerOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onBreak(() => {
      this.openedAt = this.now();
      this.breakerOpenings += 1;
      logger.warn('Ingest breaker open: the database fails or is slow; messages wait in the queue');
    });
    this.breaker.onReset(() => logger.info('Ingest breaker closed'));
  }

  /** Milliseconds until the breaker lets a write through again; 0 when it does now. */
  holdOffMs(): number {
    if (this.breaker.state !== CircuitState.Open) return 0;
    return Math.max(0, this.openedAt + this.options.breakerOpenMs - this.now());
  }

  /** Stores one message's events; throws to leave the message in the queue for another delivery. */
  async process(message: IngestMessage, receiveCount: number): Promise<void> {
    try {
      await this.breaker.execute(async () => {
        const started = this.now();
        const results = await this.store(message);
        await this.statuses.complete(message.batchId, results);
        countResults(results);
        return this.now() - started;
      });
    } catch (error) {
      if (receiveCount >= this.options.maxReceiveCount) await this.settleLastDelivery(message, error);
      throw error;
    }
  }

  private async store(message: IngestMessage): Promise<IngestionResult[]> {
    const events = eventsOf(message);
    const storedBefore = await this.storedIds(events);
    const rejected = new Map<number, Reason>();
    let pending = events.filter((event) => !storedBefore.has(event.saleId));
    // Each round stores the rest or rejects at least one more event, so it ends.
    while (pending.length > 0) {
      try {
        await this.sales.import(
          {
            items: pending.map(({ sale }) => ({ sale })),
            origins: pending.map(({ index }) => ({ index })),
            ids: pending.map(({ saleId }) => saleId),
          },
          { clientId: message.clientId },
        );
        pending = [];
      } catch (error) {
        const refused = refusals(error);
        if (refused.size === 0) throw error;
        for (const [index, reason] of refused) rejected.set(index, reason);
        pending = pending.filter(({ index }) => !refused.has(index));
      }
    }
    return events.map(({ index, saleId }) => {
      const reason = rejected.get(index);
      return reason ? { status: 'rejected', reason } : { status: 'stored', saleId };
    });
  }

  /** The sales an earlier delivery of this message stored. */
  private async storedIds(events: readonly QueuedEvent[]): Promise<Set<string>> {
    const sales = await this.sales.byIds(events.map(({ saleId }) => saleId));
    return new Set(sales.map((sale) => sale.id));
  }

  /**
   * The last delivery failed: the message goes to the dead-letter queue and no event of it stays pending. Events
   * an earlier delivery stored stay stored; the others are rejected with the reason. When the database cannot
   * say which were stored (it is down, or the breaker holds it off), all are rejected as failed: reading the
   * status later finds a sale an earlier delivery did store (`SaleEvents.status`), and a redrive of the
   * dead-letter queue stores the rest and overwrites these statuses.
   */
  private async settleLastDelivery(message: IngestMessage, error: unknown): Promise<void> {
    const events = eventsOf(message);
    const storedBefore = await this.storedIds(events).catch(() => new Set<string>());
    const reason: Reason = {
      type: `${PROBLEM_BASE}${INGESTION_FAILED}`,
      title: 'Not stored',
      status: 503,
      detail: `The event could not be stored in ${this.options.maxReceiveCount} deliveries; submit it again.`,
    };
    try {
      const results: IngestionResult[] = events.map(({ saleId }) =>
        storedBefore.has(saleId) ? { status: 'stored', saleId } : { status: 'rejected', reason },
      );
      await this.statuses.complete(message.batchId, results);
      countResults(results);
      logger.error('Events rejected after their last delivery', {
        batchId: message.batchId,
        error: error instanceof BrokenCircuitError ? 'database breaker open' : (error as Error),
      });
    } catch (cause) {
      logger.error('Events left pending in the dead-letter queue: the status store failed', {
        batchId: message.batchId,
        error: cause as Error,
      });
    }
  }
}

/** EventsStored and EventsRejected, once a message's results are recorded (again, for a repeated delivery). */
function countResults(results: readonly IngestionResult[]): void {
  const stored = results.filter((result) => result.status === 'stored').length;
  recordMetric('EventsStored', stored);
  recordMetric('EventsRejected', results.length - stored);
}

/** The events a refusal of the use case names, each with its own problem; empty for any other error. */
function refusals(error: unknown): Map<number, Reason> {
  const refused = new Map<number, Reason>();
  if (!(error instanceof ValidationError || error instanceof ConflictError)) return refused;
  if (error.issues.length === 0 || error.issues.some((issue) => issue.index === undefined)) return refused;
  for (const issue of error.issues) {
    const index = issue.index ?? -1;
    refused.set(index, mergeReason(refused.get(index), reasonOf(error, issue)));
  }
  return refused;
}

function reasonOf(error: ValidationError | ConflictError, issue: FieldIssue): Reason {
  const field = { path: issue.path.replace(/^body\.sales\[\d+\]\./, ''), message: issue.message };
  if (error instanceof ConflictError) {
    return {
      type: `${PROBLEM_BASE}conflict`,
      title: 'Conflict',
      status: 409,
      detail: issue.message,
      errors: [field],
      ...(issue.existingSaleId ? { existingSaleId: issue.existingSaleId } : {}),
    };
  }
  return {
    type: `${PROBLEM_BASE}unprocessable`,
    title: 'Unprocessable Content',
    status: 422,
    detail: 'The sale breaks a rule of the catalog; it was not stored',
    errors: [field],
  };
}

const mergeReason = (earlier: Reason | undefined, next: Reason): Reason =>
  earlier ? { ...earlier, errors: [...(earlier.errors ?? []), ...(next.errors ?? [])] } : next;

interface QueuedEvent {
  index: number;
  sale: IngestMessage['events'][number];
  saleId: string;
}

function eventsOf(message: IngestMessage): QueuedEvent[] {
  return message.events.map((sale, index) => ({
    index,
    sale,
    saleId: saleIdOf(ingestionIdOf(message.batchId, index)),
  }));
}
