import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AggregateStore, Breakdown, BucketAggregate, Grain, Scope } from './aggregates';

/** DynamoDB's BatchWriteItem takes at most 25 items (and 16 MB) per request. */
const BATCH_ITEMS = 25;
const BATCHES_IN_FLIGHT = 8;
const MAX_UNPROCESSED_ROUNDS = 8;

const SORT_PREFIX: Record<Grain, string> = { day: 'DAY', month: 'MONTH', year: 'YEAR' };
/** Where the projector records how fresh the aggregates are; no bucket partition key looks like it. */
const FRESHNESS_KEY = { pk: 'meta', sk: 'projection' };

/**
 * Aggregates in one DynamoDB table: partition `scope#id#currency`, sort key `DAY#YYYY-MM-DD` (or `MONTH#`,
 * `YEAR#` with the period's first day). A period is one Query over a key range: its cost depends on the range,
 * never on how many sales exist.
 *
 * Item size (DynamoDB's limit is 400 KB): a bucket holds its figures and, for brand and all-sales buckets, one
 * breakdown entry per model of the brand (per brand for all-sales), about 70 bytes each: a brand of up to
 * ~5,000 models, or ~5,000 brands, fits. Parts without orders are left out.
 */
export class DynamoAggregateStore implements AggregateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(aggregate: BucketAggregate): Promise<'written' | 'stale'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemOf(aggregate),
          ConditionExpression: 'attribute_not_exists(version) OR version < :version',
          ExpressionAttributeValues: { ':version': aggregate.version },
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'stale';
      throw error;
    }
  }

  async putMany(aggregates: readonly BucketAggregate[]): Promise<void> {
    const batches: BucketAggregate[][] = [];
    for (let start = 0; start < aggregates.length; start += BATCH_ITEMS) {
      batches.push(aggregates.slice(start, start + BATCH_ITEMS));
    }
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        await this.writeBatch(batch.map((aggregate) => ({ PutRequest: { Item: itemOf(aggregate) } })));
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, worker));
  }

  /** One BatchWriteItem, resending what DynamoDB leaves unprocessed (throttling) with a short backoff. */
  private async writeBatch(requests: { PutRequest: { Item: Record<string, unknown> } }[]): Promise<void> {
    let pending = requests;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_UNPROCESSED_ROUNDS)
        throw new Error(`DynamoDB left ${pending.length} aggregate writes unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** round * 25));
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }

  queryDays(scope: Scope, scopeId: string, currency: string, from: string, to: string) {
    return this.queryPeriods('day', scope, scopeId, currency, from, to);
  }

  async queryPeriods(
    grain: Grain,
    scope: Scope,
    scopeId: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<BucketAggregate[]> {
    const buckets: BucketAggregate[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': partitionKey(scope, scopeId, currency),
            ':from': sortKey(grain, from),
            ':to': sortKey(grain, to),
          },
          ProjectionExpression: '#day, units, revenue, orders, version, breakdown',
          ExpressionAttributeNames: { '#day': 'day' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        buckets.push({
          scope,
          scopeId,
          grain,
          currency,
          day: String(item.day),
          units: Number(item.units),
          revenue: String(item.revenue),
          orders: Number(item.orders),
          version: Number(item.version),
          ...(item.breakdown ? { breakdown: item.breakdown as Breakdown } : {}),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return buckets;
  }

  async markProjected(asOf: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: FRESHNESS_KEY,
          UpdateExpression: 'SET asOf = :asOf',
          ConditionExpression: 'attribute_not_exists(asOf) OR asOf < :asOf',
          ExpressionAttributeValues: { ':asOf': asOf },
        }),
      );
    } catch (error) {
      // A drain that started later already recorded a later instant.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async projectedUntil(): Promise<string | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: FRESHNESS_KEY }),
    );
    return typeof Item?.asOf === 'string' ? Item.asOf : null;
  }
}

function itemOf(aggregate: BucketAggregate): Record<string, unknown> {
  return {
    pk: partitionKey(aggregate.scope, aggregate.scopeId, aggregate.currency),
    sk: sortKey(aggregate.grain, aggregate.day),
    ...aggregate,
  };
}

const partitionKey = (scope: Scope, scopeId: string, currency: string) => `${scope}#${scopeId}#${currency}`;
const sortKey = (grain: Grain, day: string) => `${SORT_PREFIX[grain]}#${day}`;
