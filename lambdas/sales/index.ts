import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import { awsIngestDeps } from '../ingest/aws';
import { kickByInvoke, kickEnv } from '../projector/kick';
import { awsAggregateStore, dynamoClient } from '../shared/aws-dynamo';
import { awsCatalogDeps } from '../shared/aws-sql';
import { readEnv } from '../shared/config';
import { idempotentRunner } from '../shared/idempotency';
import { currencyEnv } from '../shared/money';
import { Projector } from '../shared/projection/projector';
import { createSalesHandler } from './app';
import { SaleEvents } from './events';

const env = readEnv({
  ...currencyEnv,
  IDEMPOTENCY_TABLE: z.string().check(z.minLength(1)),
  ...kickEnv,
});
const { sql, cursors } = awsCatalogDeps();

export const handler = createSalesHandler({
  sql,
  cursors,
  projector: new Projector(sql, awsAggregateStore(), {
    kick: kickByInvoke(new LambdaClient({}), env.PROJECTOR_FUNCTION_NAME),
  }),
  idempotent: idempotentRunner(
    new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient }),
  ),
  reportingCurrency: env.REPORTING_CURRENCY,
  events: new SaleEvents({ ...awsIngestDeps(), reportingCurrency: env.REPORTING_CURRENCY }),
});
