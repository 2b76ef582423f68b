import * as z from 'zod';
import { IngestionId, MAX_EVENTS } from '../ingest/messages';
import { Reason } from '../ingest/statuses';
import { Uuid } from '../shared/schemas';
import { BatchSale } from './schemas';

export const SaleEvents = z
  .strictObject({
    // Parsed leniently, like a batch, so one bad event does not hide the others' problems.
    events: z
      .array(BatchSale)
      .min(1, { error: `must hold 1 to ${MAX_EVENTS} events` })
      .max(MAX_EVENTS, { error: `must hold 1 to ${MAX_EVENTS} events` }),
  })
  .meta({ id: 'SaleEvents' });

export const IngestionAccepted = z
  .object({
    items: z.array(z.object({ ingestionId: IngestionId, status: z.literal('pending') })).max(MAX_EVENTS),
  })
  .meta({ id: 'IngestionAccepted' });

export const IngestionParams = z.strictObject({ ingestionId: IngestionId });

export const IngestionStatus = z
  .object({
    ingestionId: IngestionId,
    status: z.enum(['pending', 'stored', 'rejected']).meta({
      description: 'pending: queued; stored: the sale exists (saleId); rejected: it never will (reason)',
    }),
    saleId: z.optional(Uuid),
    reason: z.optional(Reason),
  })
  .meta({ id: 'IngestionStatus' });
