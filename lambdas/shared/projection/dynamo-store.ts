import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AggregateStore, Breakdown, DayAggregate, Scope } from './aggregates';

/**
 * Aggregates in one DynamoDB table: partition `scope#id#currency`, sort key `DAY#YYYY-MM-DD`.
 * A period is one Query over a key range: its cost depends on the range, never on how many sales exist.
 */
export class DynamoAggregateStore implements AggregateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(aggregate: DayAggregate): Promise<'written' | 'stale'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: partitionKey(aggregate.scope, aggregate.scopeId, aggregate.currency),
            sk: `DAY#${aggregate.day}`,
            ...aggregate,
          },
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

  async queryDays(
    scope: Scope,
    scopeId: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<DayAggregate[]> {
    const days: DayAggregate[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': partitionKey(scope, scopeId, currency),
            ':from': `DAY#${from}`,
            ':to': `DAY#${to}`,
          },
          ProjectionExpression: '#day, units, revenue, orders, version, breakdown',
          ExpressionAttributeNames: { '#day': 'day' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        days.push({
          scope,
          scopeId,
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
    return days;
  }
}

const partitionKey = (scope: Scope, scopeId: string, currency: string) => `${scope}#${scopeId}#${currency}`;
