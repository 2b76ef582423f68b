import { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { awsAggregateStore } from '../shared/aws-dynamo';
import { CachedCatalog } from '../shared/catalog/catalog';
import { HandlerCatalogSource } from '../shared/catalog/handler-source';
import { lambdaInvoker } from '../shared/catalog/lambda-invoke';
import { currencyEnv, readEnv } from '../shared/config';
import { createStatsHandler } from './app';

const env = readEnv({
  ...currencyEnv,
  BRAND_FUNCTION_NAME: z.string().min(1),
  MODEL_FUNCTION_NAME: z.string().min(1),
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400),
  CATALOG_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10),
  CATALOG_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000),
});

const invoke = lambdaInvoker(new LambdaClient({ maxAttempts: 1 }), {
  brand: env.BRAND_FUNCTION_NAME,
  model: env.MODEL_FUNCTION_NAME,
});

export const handler = createStatsHandler({
  store: awsAggregateStore(),
  catalog: new CachedCatalog(new HandlerCatalogSource(invoke, 'stats'), {
    ttlMs: env.CATALOG_CACHE_TTL_SECONDS * 1000,
    attempts: env.CATALOG_RETRY_ATTEMPTS,
    timeoutMs: env.CATALOG_TIMEOUT_MS,
  }),
  reportingCurrency: env.REPORTING_CURRENCY,
});
