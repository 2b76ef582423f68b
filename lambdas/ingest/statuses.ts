import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { problemFields } from '../shared/problem-schema';
import { documented } from '../shared/schemas';

/** Why an event has no sale: a problem object; a taken externalId names the sale that holds it. */
export const Reason = documented(
  z.strictObject({
    ...problemFields,
    existingSaleId: documented(z.optional(z.uuid()), {
      description: 'The sale that already holds the externalId',
    }),
  }),
  { id: 'IngestionReason' },
);
export type Reason = z.infer<typeof Reason>;

/** What became of one event: its sale, or why it has none (e.g. an unknown model). */
export const IngestionResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('stored'), saleId: z.string() }),
  z.object({ status: z.literal('rejected'), reason: Reason }),
]);
export type IngestionResult = z.infer<typeof IngestionResult>;

/** One accepted request: who sent it, how many events, and, once the worker is done, each event's result. */
export interface BatchStatus {
  batchId: string;
  clientId: string;
  count: number;
  results?: IngestionResult[];
}

/** Where ingestion statuses live, away from the database they protect (DynamoDB). */
export interface IngestionStatuses {
  /** Records a request as pending, before its message is sent. */
  accept(batch: BatchStatus): Promise<void>;
  /** Forgets a request whose message could not be sent (the client got a 5xx: none of it was accepted). */
  forget(batchId: string): Promise<void>;
  /** Records every event's result at once; a repeated delivery writes the same again. */
  complete(batchId: string, results: readonly IngestionResult[]): Promise<void>;
  find(batchId: string): Promise<BatchStatus | undefined>;
}

const Item = z.object({
  id: z.string(),
  clientId: z.string(),
  count: z.number().check(z.int()),
  expiresAt: z.number(),
  results: z.optional(z.array(IngestionResult)),
});

/**
 * One item per request, keyed by its batch id. `expiresAt` (epoch seconds) is the table's TTL attribute in AWS;
 * dynalite has no TTL, so reads also treat an expired item as gone.
 */
export class DynamoIngestionStatuses implements IngestionStatuses {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  async accept(batch: BatchStatus): Promise<void> {
    const expiresAt = Math.ceil(this.now() / 1000) + this.retentionDays * 86_400;
    await this.documents.send(
      new PutCommand({
        TableName: this.table,
        Item: { id: batch.batchId, clientId: batch.clientId, count: batch.count, expiresAt },
      }),
    );
  }

  async forget(batchId: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.table, Key: { id: batchId } }));
  }

  async complete(batchId: string, results: readonly IngestionResult[]): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: batchId },
          UpdateExpression: 'SET results = :results',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':results': results },
        }),
      );
    } catch (error) {
      // Expired or forgotten: nobody can ask for these statuses any more.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async find(batchId: string): Promise<BatchStatus | undefined> {
    const { Item: raw } = await this.documents.send(
      new GetCommand({ TableName: this.table, Key: { id: batchId }, ConsistentRead: true }),
    );
    if (!raw) return undefined;
    const item = Item.parse(raw);
    if (item.expiresAt * 1000 <= this.now()) return undefined;
    return { batchId: item.id, clientId: item.clientId, count: item.count, results: item.results };
  }
}
