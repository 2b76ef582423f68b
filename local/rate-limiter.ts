import type { TierLimits } from '../lambdas/partner/tiers';

const DAY_MS = 86_400_000;

/** The outcome for one request: allowed or not, and the headers that tell the partner where it stands. */
export interface RateDecision {
  /** Undefined when allowed; else why not: over the rate (burst used up) or over the day's quota. */
  refused?: 'rate' | 'quota';
  /** Whole seconds until a retry can succeed (refused only). */
  retryAfterSeconds?: number;
  /** `RateLimit-*` headers for every answer (the daily quota, and the policy with rate and burst). */
  headers: Record<string, string>;
}

/**
 * Per-partner limits as an API Gateway usage plan applies them: a token bucket (rate per second, burst) and
 * a quota per UTC day. Each partner has its own bucket and count, so one partner cannot use up another's.
 * In memory: a restart of the local server starts every partner's day afresh.
 */
export class RateLimiter {
  private readonly partners = new Map<string, { tokens: number; at: number; day: number; used: number }>();

  /** `now` is epoch milliseconds; tests pass a clock they move. */
  constructor(private readonly now: () => number = Date.now) {}

  take(partnerId: string, limits: TierLimits): RateDecision {
    const now = this.now();
    const day = Math.floor(now / DAY_MS);
    const state = this.partners.get(partnerId) ?? { tokens: limits.burstLimit, at: now, day, used: 0 };
    if (state.day !== day) Object.assign(state, { day, used: 0 });
    state.tokens = Math.min(limits.burstLimit, state.tokens + ((now - state.at) / 1000) * limits.rateLimit);
    state.at = now;
    this.partners.set(partnerId, state);

    const resetSeconds = Math.ceil(((day + 1) * DAY_MS - now) / 1000);
    let refused: RateDecision['refused'];
    let retryAfterSeconds: number | undefined;
    if (state.used >= limits.quotaPerDay) {
      refused = 'quota';
      retryAfterSeconds = resetSeconds;
    } else if (state.tokens < 1) {
      refused = 'rate';
      retryAfterSeconds = Math.max(1, Math.ceil((1 - state.tokens) / limits.rateLimit));
    } else {
      state.tokens -= 1;
      state.used += 1;
    }
    return {
      refused,
      retryAfterSeconds,
      headers: {
        'ratelimit-policy': `${limits.quotaPerDay};w=86400, ${limits.burstLimit};w=1;rate=${limits.rateLimit}`,
        'ratelimit-limit': String(limits.quotaPerDay),
        'ratelimit-remaining': String(Math.max(0, limits.quotaPerDay - state.used)),
        'ratelimit-reset': String(resetSeconds),
      },
    };
  }
}
