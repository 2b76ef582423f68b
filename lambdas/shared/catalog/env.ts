import * as z from 'zod/mini';
import type { CatalogClientOptions } from './catalog';

/** The catalog client's settings as environment variables: what the CDK sets and the stats function reads. */
export const catalogClientEnv = {
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().check(z.int(), z.gte(0), z.lte(86_400)),
  CATALOG_RETRY_ATTEMPTS: z.coerce.number().check(z.int(), z.gte(1), z.lte(10)),
  CATALOG_TIMEOUT_MS: z.coerce.number().check(z.int(), z.gte(50), z.lte(10_000)),
  CATALOG_BREAKER_THRESHOLD: z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)),
  CATALOG_BREAKER_OPEN_MS: z.coerce.number().check(z.int(), z.gte(100), z.lte(600_000)),
  CATALOG_CACHE_MAX_ENTRIES: z.coerce.number().check(z.int(), z.gte(1), z.lte(1_000_000)),
};

type CatalogClientEnv = { [K in keyof typeof catalogClientEnv]: z.infer<(typeof catalogClientEnv)[K]> };

export function catalogClientOptions(env: CatalogClientEnv): CatalogClientOptions {
  return {
    ttlMs: env.CATALOG_CACHE_TTL_SECONDS * 1000,
    attempts: env.CATALOG_RETRY_ATTEMPTS,
    timeoutMs: env.CATALOG_TIMEOUT_MS,
    breakerThreshold: env.CATALOG_BREAKER_THRESHOLD,
    breakerOpenMs: env.CATALOG_BREAKER_OPEN_MS,
    maxEntries: env.CATALOG_CACHE_MAX_ENTRIES,
  };
}

export function catalogClientEnvironment(
  options: Omit<CatalogClientOptions, 'now'>,
): Record<keyof typeof catalogClientEnv, string> {
  return {
    CATALOG_CACHE_TTL_SECONDS: String(Math.round(options.ttlMs / 1000)),
    CATALOG_RETRY_ATTEMPTS: String(options.attempts),
    CATALOG_TIMEOUT_MS: String(options.timeoutMs),
    CATALOG_BREAKER_THRESHOLD: String(options.breakerThreshold),
    CATALOG_BREAKER_OPEN_MS: String(options.breakerOpenMs),
    CATALOG_CACHE_MAX_ENTRIES: String(options.maxEntries),
  };
}
