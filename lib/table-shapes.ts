/**
 * The DynamoDB tables' keys, once: lib/sales-tables.ts builds the CDK tables from them and local/tables.ts
 * the dynalite twins, so a key renamed on one side cannot leave the other behind. Every key is a string.
 */
export interface TableShape {
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Attribute holding the expiry (epoch seconds); dynalite ignores TTL, so only AWS deletes expired items. */
  readonly timeToLiveAttribute?: string;
}

export const TABLE_SHAPES = {
  /** Per-model, per-brand and overall sales per day (lambdas/shared/projection/dynamo-store.ts). */
  aggregates: { partitionKey: 'pk', sortKey: 'sk' },
  /** Powertools idempotency records: key `id`, expiring on `expiration`. */
  idempotency: { partitionKey: 'id', timeToLiveAttribute: 'expiration' },
  /** Statuses of queued sales events, one item per request (lambdas/ingest/statuses.ts). */
  ingestions: { partitionKey: 'id', timeToLiveAttribute: 'expiresAt' },
} as const satisfies Record<string, TableShape>;

export type TableName = keyof typeof TABLE_SHAPES;
