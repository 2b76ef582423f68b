import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aggregatesEnv, cursorEnv, databaseEnv, readEnv } from './config';
import { CursorCodec } from './pagination';
import { DynamoAggregateStore } from './projection/dynamo-store';
import { DataApiSql } from './sql/data-api';

/** One DynamoDB client per cold start, shared by the aggregates store and idempotency. */
export const dynamoClient = new DynamoDBClient({});

/** The SQL port on Aurora through the Data API, from validated env (fails fast at cold start). */
export function awsDataApiSql() {
  const env = readEnv(databaseEnv);
  // Retries cover Aurora Serverless resuming from zero capacity (DatabaseResumingException).
  return new DataApiSql(new RDSDataClient({ maxAttempts: 4 }), {
    resourceArn: env.DB_CLUSTER_ARN,
    secretArn: env.DB_SECRET_ARN,
    database: env.DB_NAME,
  });
}

/** Production dependencies of the catalog functions, built once per cold start. */
export function awsCatalogDeps() {
  const { CURSOR_SECRET } = readEnv(cursorEnv);
  return { sql: awsDataApiSql(), cursors: new CursorCodec(CURSOR_SECRET) };
}

/** The per-period aggregates in DynamoDB, from validated env. */
export function awsAggregateStore() {
  const { SALES_TABLE } = readEnv(aggregatesEnv);
  return new DynamoAggregateStore(DynamoDBDocumentClient.from(dynamoClient), SALES_TABLE);
}
