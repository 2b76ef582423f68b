import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../errors';

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
  value: T | null;
  /** True when the catalog failed and this is an expired cached answer. */
  stale: boolean;
}

export interface CatalogCacheOptions {
  ttlMs: number;
  attempts: number;
  timeoutMs: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The catalog as other services see it: a TTL cache in front of the source, a bounded retry with a timeout per
 * call, and, when the source stays down, the last known (stale) answer instead of an error.
 */
export class CachedCatalog {
  private readonly entries = new Map<string, Entry>();
  /** Lookups under way, so concurrent requests for one id share a single call to the source. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(
    private readonly source: CatalogSource,
    private readonly options: CatalogCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  model(id: string): Promise<Lookup<CatalogModel>> {
    return this.lookup(`model:${id}`, (signal) => this.source.model(id, signal));
  }

  brand(id: string): Promise<Lookup<CatalogBrand>> {
    return this.lookup(`brand:${id}`, (signal) => this.source.brand(id, signal));
  }

  private async lookup<T>(
    key: string,
    fetch: (signal: AbortSignal) => Promise<T | null>,
  ): Promise<Lookup<T>> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) return { value: cached.value as T, stale: false };
    try {
      const value = await this.shared(key, () => this.withRetry(fetch));
      // Unknown ids are not cached, so a model created a moment ago is found at once.
      if (value !== null) this.remember(key, value);
      return { value, stale: false };
    } catch (error) {
      if (cached) return { value: cached.value as T, stale: true };
      throw new UnavailableError('The catalog is unavailable', { cause: error });
    }
  }

  private shared<T>(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const started = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private async withRetry<T>(fetch: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.options.attempts; attempt += 1) {
      try {
        const signal = AbortSignal.timeout(this.options.timeoutMs);
        return await untilAborted(fetch(signal), signal);
      } catch (error) {
        lastError = error;
        if (attempt < this.options.attempts) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
      }
    }
    throw lastError;
  }

  private remember(key: string, value: unknown) {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    const oldest = this.entries.keys().next().value;
    if (this.entries.size > (this.options.maxEntries ?? 10_000) && oldest !== undefined)
      this.entries.delete(oldest);
  }
}

/** Settles with `work`, or rejects once `signal` aborts: the timeout holds even for a source that ignores it. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('Aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
