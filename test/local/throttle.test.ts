import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { Throttle } from '../../local/throttle';
import { api, expectProblem, tokenFor } from '../support/http';

describe('Class: Throttle', () => {
  it('allows a burst, then refuses until tokens refill at the rate', () => {
    let now = 0;
    const throttle = new Throttle(2, 3, () => now);

    const burst = [throttle.take('a'), throttle.take('a'), throttle.take('a')];
    const refused = throttle.take('a');
    now += 500; // half a second refills one token at 2/s
    const afterRefill = throttle.take('a');

    expect(burst).toEqual([0, 0, 0]);
    expect(refused).toBe(1);
    expect(afterRefill).toBe(0);
  });

  it('keeps one bucket per client', () => {
    const throttle = new Throttle(1, 1, () => 0);

    expect(throttle.take('a')).toBe(0);
    expect(throttle.take('b')).toBe(0);
    expect(throttle.take('a')).toBeGreaterThan(0);
  });
});

describe('Local gateway: throttling', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      projectorIntervalMs: 0,
      throttle: { ratePerSecond: 0.1, burst: 2 },
    });
  });
  afterAll(() => stack.close());

  it('answers 429 problem+json with Retry-After once a client exceeds its burst, other clients unaffected', async () => {
    const reader = api(stack, await tokenFor(stack, 'demo-reader'));
    const writer = api(stack, await tokenFor(stack, 'demo-writer'));

    const allowed = [await reader.get('/brands'), await reader.get('/brands')];
    const throttled = await reader.get('/brands');
    const otherClient = await writer.get('/brands');

    expect(allowed.map((response) => response.status)).toEqual([200, 200]);
    expectProblem(throttled, 429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(otherClient.status).toBe(200);
  });
});
