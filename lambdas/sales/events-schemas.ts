import * as z from 'zod/mini';
import { IngestionId, MAX_EVENTS } from '../ingest/messages';
import { Reason } from '../ingest/statuses';
import { documented, Uuid } from '../shared/schemas';
import { BatchSale } from './schemas';

export const SaleEvents = documented(
  z.strictObject({
    // Parsed leniently, like a batch, so one bad event does not hide the others' problems.
    events: z
      .array(BatchSale)
      .check(
        z.minLength(1, { error: `must hold 1 to ${MAX_EVENTS} events` }),
        z.maxLength(MAX_EVENTS, { error: `must hold 1 to ${MAX_EVENTS} events` }),
      ),
  }),
  { id: 'SaleEvents' },
);

export const IngestionAccepted = documented(
  z.object({
    items: z
      .array(z.object({ ingestionId: IngestionId, status: z.literal('pending') }))
      .check(z.maxLength(MAX_EVENTS)),
  }),
  { id: 'IngestionAccepted' },
);

export const IngestionParams = z.strictObject({ ingestionId: IngestionId });

export const IngestionStatus = documented(
  z.object({
    ingestionId: IngestionId,
    status: documented(z.enum(['pending', 'stored', 'rejected']), {
      description: 'pending: queued; stored: the sale exists (saleId); rejected: it never will (reason)',
    }),
    saleId: z.optional(Uuid),
    reason: z.optional(Reason),
  }),
  { id: 'IngestionStatus' },
);
