import type { TierLimits } from '../lambdas/partner/tiers';

const DAY_MS = 86_400_000;

/**
 * The outcome for one request: allowed, or refused over the rate (burst used up) or the day's quota with the
 * whole seconds until a retry can succeed; and the `RateLimit-*` headers every answer carries (the daily
 * quota, and the policy with rate and burst).
 */
export type RateDecision =
  | { refused?: undefined; headers: Record<string, string> }
  | { refused: 'rate' | 'quota'; retryAfterSeconds: number; headers: Record<string, string> };

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
    const headers = () => ({
      'ratelimit-policy': `${limits.quotaPerDay};w=86400, ${limits.burstLimit};w=1;rate=${limits.rateLimit}`,
      'ratelimit-limit': String(limits.quotaPerDay),
      'ratelimit-remaining': String(Math.max(0, limits.quotaPerDay - state.used)),
      'ratelimit-reset': String(resetSeconds),
    });
    if (state.used >= limits.quotaPerDay)
      return { refused: 'quota', retryAfterSeconds: resetSeconds, headers: headers() };
    if (state.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - state.tokens) / limits.rateLimit));
      return { refused: 'rate', retryAfterSeconds, headers: headers() };
    }
    state.tokens -= 1;
    state.used += 1;
    return { headers: headers() };
  }
}
