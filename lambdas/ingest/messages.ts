import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { SaleCreate } from '../sales/schemas';
import { RequestId } from '../shared/request-id';
import { documented } from '../shared/schemas';

/** Most events one request may carry: their message stays far below SQS's 1 MiB (a sale is under 500 bytes). */
export const MAX_EVENTS = 500;

/**
 * What the intake sends and the worker consumes: the events of one request, already validated, who sent
 * them, and the request's id (on the worker's log lines). One request is one message, so a request is queued
 * whole or not at all.
 */
export const IngestMessage = z.object({
  batchId: z.uuid(),
  clientId: z.string().check(z.minLength(1)),
  events: z.array(SaleCreate).check(z.minLength(1), z.maxLength(MAX_EVENTS)),
  requestId: z.optional(RequestId),
});
export type IngestMessage = z.infer<typeof IngestMessage>;

/** `<batch id>.<index>`: the request's id and the event's position in it. */
export const IngestionId = documented(
  z.string().check(
    z.maxLength(40),
    z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(0|[1-9]\d{0,2})$/, {
      error: 'must be an ingestion id as returned by POST /sales/events',
    }),
  ),
  { description: 'Id of one queued event', example: '0b4f3a52-7a4e-4c1e-9d55-2f0a8c1e6b11.0' },
);

/** Problem type (under PROBLEM_BASE) of events rejected because every delivery of their message failed. */
export const INGESTION_FAILED = 'ingestion-failed';

export const ingestionIdOf = (batchId: string, index: number) => `${batchId}.${index}`;

export function parseIngestionId(ingestionId: string): { batchId: string; index: number } {
  const dot = ingestionId.lastIndexOf('.');
  return { batchId: ingestionId.slice(0, dot), index: Number(ingestionId.slice(dot + 1)) };
}

/**
 * The id the event's sale gets: derived from the ingestion id (RFC 9562 version 8, from SHA-256), so a second
 * delivery of a message finds the sales the first one stored instead of making new ones.
 */
export function saleIdOf(ingestionId: string): string {
  const hex = createHash('sha256').update(`sale-event:${ingestionId}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
