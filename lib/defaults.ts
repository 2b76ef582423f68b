/**
 * Operational defaults in one place: the deployed stack (lib/settings.ts, lib/api-functions.ts) and the local
 * stack (local/main.ts, local/stack.ts) both read them, so the two cannot drift apart. Pure data: no CDK here.
 */
export const DEFAULTS = {
  /** ISO 4217 currency of figures when a request names none. */
  reportingCurrency: 'EUR',
  /**
   * How stats reads brand and model names: cached, retried when the catalog fails fast, bounded by a timeout,
   * and behind a breaker that keeps calls away from a failing or hanging catalog for a while.
   */
  catalog: {
    ttlMs: 300_000,
    attempts: 3,
    timeoutMs: 1000,
    breakerThreshold: 1,
    breakerOpenMs: 10_000,
    maxEntries: 10_000,
  },
  /** Request rate (per second, sustained) and burst: the API stage's throttle, per client locally. */
  throttle: { rateLimit: 50, burstLimit: 100 },
  /**
   * How often the projector drains the outbox. EventBridge schedules cannot run more often than once a
   * minute; locally every few seconds, so a sale shows in the stats about as soon as one would look.
   */
  projectorInterval: { deployedMinutes: 1, localMs: 5000 },
  /**
   * Sales events: a message goes to the dead-letter queue after `maxReceiveCount` deliveries; the worker's
   * breaker opens after `breakerThreshold` failed or slow (> `slowWriteMs`) writes and keeps it from the
   * database for `breakerOpenMs` (locally shorter, so a short outage is waited out quickly). The event source
   * hands it `batchSize` messages, at most `maxConcurrency` invocations at once. Statuses live a week.
   */
  ingest: {
    maxReceiveCount: 10,
    breakerThreshold: 3,
    breakerOpenMs: 30_000,
    slowWriteMs: 10_000,
    batchSize: 10,
    maxConcurrency: 2,
    statusRetentionDays: 7,
    local: { breakerOpenMs: 5_000, visibilityTimeoutSeconds: 30 },
  },
} as const;
