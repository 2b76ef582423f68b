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
   * Lifetime of an access token. A deleted partner gets no new token at once; one it already holds works
   * until it expires, so this bounds how long a removed partner keeps access (Cognito allows 5 min to 1 day).
   */
  accessTokenMinutes: 15,
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

export type Stage = 'dev' | 'prod';

/**
 * What a stage (`cdk deploy -c stage=prod`) changes, in one place; any of it can still be overridden with
 * `-c salesApi:<key>=<value>` (lib/settings.ts).
 */
export const STAGE_DEFAULTS = {
  dev: {
    deletionProtection: false,
    demoClients: true,
    apiCache: false,
    requireAlarmEmail: false,
  },
  prod: {
    // Data outlives the stack: cluster and tables are retained and protected from deletion.
    deletionProtection: true,
    // Partners are onboarded through POST /partners; no shared demo secrets in production.
    demoClients: false,
    apiCache: true,
    // Alarms must reach someone.
    requireAlarmEmail: true,
  },
} as const satisfies Record<Stage, object>;
