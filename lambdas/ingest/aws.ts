import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../shared/aws-dynamo';
import { readEnv } from '../shared/config';
import { ingestEnv } from './env';
import { SqsEventQueue } from './queue';
import { DynamoIngestionStatuses } from './statuses';

/** The events queue and the status table, from validated env: shared by the sales function and the worker. */
export function awsIngestDeps() {
  const env = readEnv(ingestEnv);
  return {
    statuses: new DynamoIngestionStatuses(
      DynamoDBDocumentClient.from(dynamoClient),
      env.INGESTIONS_TABLE,
      env.INGEST_STATUS_RETENTION_DAYS,
    ),
    queue: new SqsEventQueue(new SQSClient({}), env.EVENTS_QUEUE_URL),
  };
}
