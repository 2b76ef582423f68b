/**
 * The dashboard's API client (dashboard/src/api.ts) in Node against the local stack: the same token endpoint,
 * bearer requests, problems, 401 and 429 as the browser sees them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ApiClient,
  ApiError,
  RateLimitedError,
  SessionExpiredError,
  SignInError,
} from '../../dashboard/src/api';
import type { BrandPageBody, RevenueStatsBody } from '../../dashboard/src/api-types';
import { type LocalStack, startLocalStack } from '../../local/stack';

const RANGE = { from: '2025-01-01', to: '2025-01-31' };

describe('Class: ApiClient (the dashboard as a reference client)', () => {
  let stack: LocalStack;
  let throttled: LocalStack;

  beforeAll(async () => {
    [stack, throttled] = await Promise.all([
      startLocalStack({ projectorIntervalMs: 0 }),
      // One request at once, a new one every half second: a second request waits one second.
      startLocalStack({ projectorIntervalMs: 0, throttle: { ratePerSecond: 2, burst: 1 } }),
    ]);
  });

  afterAll(async () => {
    await stack?.close();
    await throttled?.close();
  });

  const clientOf = (target: LocalStack, onRateLimited?: (seconds: number) => void) =>
    new ApiClient({
      apiBase: target.url,
      tokenUrl: `${target.url}/oauth2/token`,
      ...(onRateLimited && { onRateLimited }),
    });

  describe('Method: signIn', () => {
    it('gets a token with client credentials and uses it', async () => {
      // Arrange
      const client = clientOf(stack);

      // Act
      await client.signIn('demo-reader', 'demo-reader-secret');
      const revenue = await client.get<RevenueStatsBody>('/stats/revenue', { ...RANGE, currency: 'EUR' });

      // Assert
      expect(client.signedIn).toBe(true);
      expect(revenue).toMatchObject({ ...RANGE, currency: 'EUR', totalRevenue: '0.00', orders: 0 });
    });

    it('says the credentials were refused, and stays signed out', async () => {
      const client = clientOf(stack);

      const error = await client.signIn('demo-reader', 'wrong').catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(SignInError);
      expect((error as SignInError).message).toMatch(/^Sign-in refused: check the client ID and secret/);
      expect(client.signedIn).toBe(false);
    });
  });

  describe('Method: get', () => {
    it('turns a problem into an ApiError with the field messages', async () => {
      // Arrange
      const client = clientOf(stack);
      await client.signIn('demo-reader', 'demo-reader-secret');

      // Act
      const error = await client
        .get('/stats/revenue', { from: '2020-01-01', to: '2025-01-01' })
        .catch((caught: unknown) => caught);

      // Assert
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(400);
      expect((error as ApiError).message).toMatch(/to the range may span at most 1098 days/);
    });

    it('signs out on 401 and on an expired token, without a request for the latter', async () => {
      // Arrange
      const client = clientOf(stack);
      const past = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) - 60 })).toString(
        'base64url',
      );
      const fetchSpy = vi.spyOn(globalThis, 'fetch');

      // Act + Assert: refused by the API.
      client.useToken('Bearer not-a-jwt');
      await expect(client.get('/brands')).rejects.toBeInstanceOf(SessionExpiredError);
      expect(client.signedIn).toBe(false);
      expect(fetchSpy).toHaveBeenCalledTimes(1);

      // Act + Assert: expired by its own `exp`.
      client.useToken(`e30.${past}.c2ln`);
      await expect(client.get('/brands')).rejects.toBeInstanceOf(SessionExpiredError);
      expect(fetchSpy).toHaveBeenCalledTimes(1);
      fetchSpy.mockRestore();
    });

    it('waits as Retry-After says and retries once throttled', async () => {
      // Arrange
      const waits: number[] = [];
      const client = clientOf(throttled, (seconds) => waits.push(seconds));
      await client.signIn('demo-reader', 'demo-reader-secret');

      // Act: two at once; the second is answered 429 (Retry-After: 1), waits, and gets through.
      const [first, second] = await Promise.all([
        client.get<BrandPageBody>('/brands'),
        client.get<BrandPageBody>('/brands'),
      ]);

      // Assert
      expect(first.items).toEqual([]);
      expect(second.items).toEqual([]);
      expect(waits).toEqual([1]);
    });

    it('gives up at once when Retry-After is longer than it waits on its own', async () => {
      // Arrange: a stack that lets one request through per 1000 s.
      const slow = await startLocalStack({
        projectorIntervalMs: 0,
        throttle: { ratePerSecond: 0.001, burst: 1 },
      });
      try {
        const waits: number[] = [];
        const client = clientOf(slow, (seconds) => waits.push(seconds));
        await client.signIn('demo-reader', 'demo-reader-secret');
        await client.get('/brands');

        // Act
        const error = await client.get('/brands').catch((caught: unknown) => caught);

        // Assert
        expect(error).toBeInstanceOf(RateLimitedError);
        expect((error as RateLimitedError).retryAfterSeconds).toBe(1000);
        expect(waits).toEqual([]);
      } finally {
        await slow.close();
      }
    });
  });
});
