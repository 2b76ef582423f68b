import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { recordMetric } from '../metrics';
import { logger } from '../powertools';

export interface CatalogModel {
  id: string;
  brandId: string;
  name: string;
}

export interface CatalogBrand {
  id: string;
  name: string;
}

/** Where catalog entries come from: the brand and model services (never their database). */
export interface CatalogSource {
  model(id: string, signal: AbortSignal): Promise<CatalogModel | null>;
  brand(id: string, signal: AbortSignal): Promise<CatalogBrand | null>;
}

export interface Lookup<T> {
  /** The entry; null when it does not exist, or when the catalog did not answer and nothing was cached. */
  value: T | null;
  /** True when the catalog did not answer: `value` is the last known entry (possibly expired) or null. */
  stale: boolean;
}

export interface CatalogClientOptions {
  /** How long a name is served without asking the catalog again. */
  ttlMs: number;
  /** Calls per lookup when the catalog fails fast; a timeout is never retried. */
  attempts: number;
  /** Longest wait for one call, enforced even when the source ignores its abort signal. */
  timeoutMs: number;
  /** Consecutive failed lookups that open the breaker. */
  breakerThreshold: number;
  /** How long an open breaker keeps calls away from the catalog before one trial call. */
  breakerOpenMs: number;
  /** Entries kept; the least recently used goes first. */
  maxEntries: number;
  /** Test seam: the clock of the TTL. */
  now?: () => number;
}

type Fetcher<T extends {}> = (signal: AbortSignal) => Promise<T | null>;
type EntryCache<T extends {}> = LRUCache<string, T, Fetcher<T>>;

/**
 * The catalog as other services see it: an LRU/TTL cache that shares one source call among concurrent lookups
 * of an id, a timeout per call, a retry of fast failures, and a circuit breaker, so a failing or hanging catalog
 * costs one timeout per breaker window. When the catalog does not answer, a lookup resolves with the last known
 * entry marked stale (or null): names are optional to every caller, so an outage never fails a request.
 */
export class CatalogClient {
  private readonly breaker;
  private readonly policy: IPolicy;
  private readonly models: EntryCache<CatalogModel>;
  private readonly brands: EntryCache<CatalogBrand>;

  constructor(
    private readonly source: CatalogSource,
    private readonly options: CatalogClientOptions,
  ) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.breakerOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onBreak(() => {
      recordMetric('CatalogBreakerOpened', 1);
      logger.warn('Catalog breaker open: names come from the cache until it closes');
    });
    this.breaker.onReset(() => logger.info('Catalog breaker closed'));
    const fastFailures = handleWhen(
      (error) => !(error instanceof TaskCancelledError || error instanceof BrokenCircuitError),
    );
    this.policy = wrap(
      this.breaker,
      retry(fastFailures, {
        maxAttempts: options.attempts - 1,
        backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 1000 }),
      }),
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
    );
    this.models = this.cache<CatalogModel>();
    this.brands = this.cache<CatalogBrand>();
  }

  model(id: string): Promise<Lookup<CatalogModel>> {
    return lookup(this.models, id, (signal) => this.source.model(id, signal));
  }

  brand(id: string): Promise<Lookup<CatalogBrand>> {
    return lookup(this.brands, id, (signal) => this.source.brand(id, signal));
  }

  /** For logs and tests. */
  get breakerState(): 'closed' | 'open' | 'half-open' {
    const state = this.breaker.state;
    if (state === CircuitState.HalfOpen) return 'half-open';
    return state === CircuitState.Closed ? 'closed' : 'open';
  }

  private cache<T extends {}>(): EntryCache<T> {
    const { maxEntries, ttlMs, now } = this.options;
    return new LRUCache<string, T, Fetcher<T>>({
      max: maxEntries,
      // lru-cache reads a ttl of 0 as "never expires"; here 0 means "expire at once" (after 1 ms).
      ttl: Math.max(ttlMs, 1),
      ttlResolution: 0,
      // A failed refresh keeps the expired entry for `lookup` to peek at. `allowStaleOnFetchRejection` would
      // hand it back as well, but then callers that joined a shared fetch could not tell stale from fresh.
      noDeleteOnFetchRejection: true,
      // Unknown ids resolve to undefined, which is not cached: an id created a moment ago is found at once.
      fetchMethod: async (_id, _stale, { signal, context }) =>
        (await this.policy.execute(({ signal: callSignal }) => settled(context, callSignal), signal)) ??
        undefined,
      ...(now ? { perf: { now } } : {}),
    });
  }
}

/** A call that ends because its signal aborted (a source may reject with any reason) counts as a timeout. */
async function settled<T>(call: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await call(signal);
  } catch (error) {
    if (signal.aborted) throw new TaskCancelledError('The catalog did not answer in time');
    throw error;
  }
}

async function lookup<T extends {}>(cache: EntryCache<T>, id: string, fetch: Fetcher<T>): Promise<Lookup<T>> {
  try {
    return { value: (await cache.fetch(id, { context: fetch })) ?? null, stale: false };
  } catch (error) {
    if (!(error instanceof BrokenCircuitError)) logger.warn('Catalog lookup failed', { id, error });
    recordMetric('CatalogFallbacks', 1);
    return { value: cache.peek(id, { allowStale: true }) ?? null, stale: true };
  }
}
