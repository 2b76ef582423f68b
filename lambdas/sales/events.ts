import { randomUUID } from 'node:crypto';
import { INGESTION_FAILED, ingestionIdOf, parseIngestionId, saleIdOf } from '../ingest/messages';
import type { EventQueue } from '../ingest/queue';
import type { IngestionStatuses } from '../ingest/statuses';
import { NotFoundError, UnavailableError, ValidationError } from '../shared/errors';
import { recordMetric } from '../shared/metrics';
import { logger } from '../shared/powertools';
import type { Actor, Sales } from './sales';
import type { SaleItem } from './schemas';
import { checkSubmission } from './validation';

export interface EventsDeps {
  statuses: IngestionStatuses;
  queue: EventQueue;
  reportingCurrency: string;
}

/**
 * Sales events: accepted at once, stored later by the ingest worker. Nothing here touches the database, so a
 * burst or an outage of it never reaches the partner; the queue holds the events until the worker can write.
 */
export class SaleEvents {
  constructor(private readonly deps: EventsDeps) {}

  /**
   * Primary course: check every event as the batch endpoint would without I/O (422 naming each bad index,
   * nothing queued), record the request as pending, queue it as one message (with the request's id, for the
   * worker's logs), answer an ingestion id per event. Unknown models and taken externalIds are the worker's
   * to find: they need the database.
   */
  async accept(items: readonly SaleItem[], actor: Actor, requestId?: string) {
    const checked = checkSubmission(
      { items, origins: items.map((_, index) => ({ index })) },
      this.deps.reportingCurrency,
    );
    if (checked.issues.length > 0) {
      throw new ValidationError(
        'Some events are invalid; none was queued',
        // The batch's issue paths name `sales`; this body's array is `events`.
        checked.issues.map(({ issue }) => ({
          ...issue,
          path: issue.path.replace(/^body\.sales\[/, 'body.events['),
        })),
        'unprocessable',
      );
    }
    const events = items.flatMap((item) => ('sale' in item ? [item.sale] : []));
    const batchId = randomUUID();
    await unavailableUnless('the status store', () =>
      this.deps.statuses.accept({ batchId, clientId: actor.clientId, count: events.length }),
    );
    try {
      await this.deps.queue.send({ batchId, clientId: actor.clientId, events, requestId });
    } catch (error) {
      await this.deps.statuses
        .forget(batchId)
        .catch((cause: unknown) =>
          logger.warn('Could not forget a batch that was never queued', { batchId, error: cause as Error }),
        );
      throw new UnavailableError('The events queue is unavailable; nothing was queued', { cause: error });
    }
    recordMetric('EventsAccepted', events.length);
    return events.map((_, index) => ({
      ingestionId: ingestionIdOf(batchId, index),
      status: 'pending' as const,
    }));
  }

  /**
   * One event's status; only the client that sent it, or an admin, may see it (others get 404). An event rejected
   * because its deliveries failed while the database was down may still have been stored by one of them: the
   * sales say so (`stored` wins), so the status never denies a sale that exists.
   */
  async status(ingestionId: string, actor: Actor, sales: Pick<Sales, 'byIds'>) {
    const { batchId, index } = parseIngestionId(ingestionId);
    const batch = await unavailableUnless('the status store', () => this.deps.statuses.find(batchId));
    if (!batch || index >= batch.count || (batch.clientId !== actor.clientId && !actor.isAdmin)) {
      throw new NotFoundError('Ingestion', ingestionId);
    }
    const result = batch.results?.[index];
    if (!result) return { ingestionId, status: 'pending' as const };
    if (result.status === 'rejected' && result.reason.type.endsWith(`/${INGESTION_FAILED}`)) {
      const saleId = saleIdOf(ingestionId);
      const [sale] = await sales.byIds([saleId]).catch(() => []);
      if (sale) return { ingestionId, status: 'stored' as const, saleId };
    }
    return { ingestionId, ...result };
  }
}

async function unavailableUnless<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new UnavailableError(`${what} is unavailable`, { cause: error });
  }
}
