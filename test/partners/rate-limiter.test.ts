import { describe, expect, it } from 'vitest';
import { TIERS } from '../../lambdas/partner/tiers';
import { RateLimiter } from '../../local/rate-limiter';

const DAY_MS = 86_400_000;

describe('Class: RateLimiter', () => {
  const limits = { rateLimit: 2, burstLimit: 3, quotaPerDay: 5 };

  describe('Method: take', () => {
    it('allows a burst, then refuses until the rate refills the bucket', () => {
      let now = 10 * DAY_MS;
      const limiter = new RateLimiter(() => now);

      const burst = [1, 2, 3].map(() => limiter.take('a', limits).refused);
      const fourth = limiter.take('a', limits);
      now += 500; // half a second at 2/s: one token back
      const afterRefill = limiter.take('a', limits);

      expect(burst).toEqual([undefined, undefined, undefined]);
      expect(fourth).toMatchObject({ refused: 'rate', retryAfterSeconds: 1 });
      expect(afterRefill.refused).toBeUndefined();
    });

    it('refuses past the daily quota until the next UTC day, and says when that is', () => {
      let now = 10 * DAY_MS + DAY_MS - 60_000; // a minute before midnight UTC
      const limiter = new RateLimiter(() => now);
      for (let i = 0; i < 5; i++) {
        now += 1000;
        expect(limiter.take('a', limits).refused).toBeUndefined();
      }

      now += 1000;
      const over = limiter.take('a', limits);
      now = 11 * DAY_MS;
      const nextDay = limiter.take('a', limits);

      expect(over).toMatchObject({ refused: 'quota', retryAfterSeconds: 54 });
      expect(over.headers['ratelimit-remaining']).toBe('0');
      expect(nextDay.refused).toBeUndefined();
      expect(nextDay.headers['ratelimit-remaining']).toBe('4');
    });

    it('keeps each partner on its own bucket and count', () => {
      const limiter = new RateLimiter(() => 0);
      for (let i = 0; i < TIERS.sandbox.burstLimit; i++) limiter.take('small', TIERS.sandbox);

      const small = limiter.take('small', TIERS.sandbox);
      const big = limiter.take('big', TIERS.premium);

      expect(small.refused).toBe('rate');
      expect(big.refused).toBeUndefined();
      expect(big.headers).toMatchObject({
        'ratelimit-limit': String(TIERS.premium.quotaPerDay),
        'ratelimit-remaining': String(TIERS.premium.quotaPerDay - 1),
        'ratelimit-reset': '86400',
      });
    });
  });
});
