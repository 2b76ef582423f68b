import { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import { awsAggregateStore } from '../shared/aws-dynamo';
import { CatalogClient } from '../shared/catalog/catalog';
import { catalogClientEnv, catalogClientOptions } from '../shared/catalog/env';
import { InternalCatalogSource } from '../shared/catalog/internal';
import { lambdaInvoker } from '../shared/catalog/lambda-invoke';
import { readEnv } from '../shared/config';
import { currencyEnv } from '../shared/money';
import { createStatsHandler } from './app';

const env = readEnv({
  ...currencyEnv,
  ...catalogClientEnv,
  BRAND_FUNCTION_NAME: z.string().check(z.minLength(1)),
  MODEL_FUNCTION_NAME: z.string().check(z.minLength(1)),
});

// The client's own timeout and retry policy bound each call; the SDK does not retry on top of it.
const invoke = lambdaInvoker(new LambdaClient({ maxAttempts: 1 }), {
  brand: env.BRAND_FUNCTION_NAME,
  model: env.MODEL_FUNCTION_NAME,
});

export const handler = createStatsHandler({
  store: awsAggregateStore(),
  catalog: new CatalogClient(new InternalCatalogSource(invoke), catalogClientOptions(env)),
  reportingCurrency: env.REPORTING_CURRENCY,
});
