import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aggregatesEnv, readEnv } from './config';
import { DynamoAggregateStore } from './projection/dynamo-store';

/** One DynamoDB client per cold start, shared by the aggregates store and idempotency. */
export const dynamoClient = new DynamoDBClient({});

/** The per-period aggregates in DynamoDB, from validated env. */
export function awsAggregateStore() {
  const { SALES_TABLE } = readEnv(aggregatesEnv);
  return new DynamoAggregateStore(DynamoDBDocumentClient.from(dynamoClient), SALES_TABLE);
}
