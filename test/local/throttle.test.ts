import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../lambdas/partner/tiers';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { api, expectProblem, tokenFor } from '../support/http';

describe('Local gateway: the tier limits of the demo clients', () => {
  let stack: LocalStack;
  const now = Date.UTC(2026, 0, 1, 12); // frozen: no token comes back while the test runs

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, limits: { now: () => now } });
  });
  afterAll(() => stack.close());

  it('answers 429 problem+json with Retry-After past the burst, other clients unaffected', async () => {
    const reader = api(stack, await tokenFor(stack, 'demo-reader'));
    const writer = api(stack, await tokenFor(stack, 'demo-writer'));
    const { burstLimit, quotaPerDay } = TIERS.standard;

    const allowed = [];
    for (let i = 0; i < burstLimit; i++) allowed.push((await reader.get('/brands')).status);
    const throttled = await reader.get('/brands');
    const otherClient = await writer.get('/brands');

    expect(new Set(allowed)).toEqual(new Set([200]));
    expectProblem(throttled, 429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('ratelimit-remaining')).toBe(String(quotaPerDay - burstLimit));
    expect(otherClient.status).toBe(200);
    expect(otherClient.headers.get('ratelimit-limit')).toBe(String(quotaPerDay));
    expect(otherClient.headers.get('ratelimit-remaining')).toBe(String(quotaPerDay - 1));
  });
});
