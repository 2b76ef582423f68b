import { describe, expect } from 'vitest';
import { TIERS } from '../../lambdas/partner/tiers';
import { expectProblem } from '../support/api';
import { stackTest } from '../support/fixtures';

const now = Date.UTC(2026, 0, 1, 12); // frozen: no token comes back while the test runs
const test = stackTest({ projectorIntervalMs: 0, limits: { now: () => now } });

describe('Local gateway: the tier limits of the demo clients', () => {
  test('answers 429 problem+json with Retry-After past the burst, other clients unaffected', async ({
    reader,
    writer,
  }) => {
    const { burstLimit, quotaPerDay } = TIERS.standard;

    const allowed = [];
    for (let i = 0; i < burstLimit; i++) allowed.push((await reader.GET('/brands')).response.status);
    const throttled = await reader.GET('/brands');
    const otherClient = await writer.GET('/brands');

    expect(new Set(allowed)).toEqual(new Set([200]));
    expectProblem(throttled, 429);
    expect(throttled.response.headers.get('retry-after')).toBe('1');
    expect(throttled.response.headers.get('ratelimit-remaining')).toBe(String(quotaPerDay - burstLimit));
    expect(otherClient.response.status).toBe(200);
    expect(otherClient.response.headers.get('ratelimit-limit')).toBe(String(quotaPerDay));
    expect(otherClient.response.headers.get('ratelimit-remaining')).toBe(String(quotaPerDay - 1));
  });
});
