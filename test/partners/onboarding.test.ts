import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS, type TierName } from '../../lambdas/partner/tiers';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, expectProblem, requestToken, tokenFor } from '../support/http';

interface Onboarded {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  tier: TierName;
  limits: unknown;
}

const DAY_MS = 86_400_000;

describe('Partners over real HTTP on the local stack', () => {
  let stack: LocalStack;
  let dataDir: string;
  let admin: ApiClient;
  // The limiter's clock: frozen unless a test moves it, so no bucket refills behind a test's back.
  let now = Date.UTC(2026, 5, 1, 12);

  const onboard = async (name: string, tier: TierName, role = 'reader') => {
    const response = await admin.post<Onboarded>('/partners', { name, tier, role });
    expect(response.status, response.text).toBe(201);
    return response.body;
  };
  /** A token for an onboarded partner, and a client that sends it with the partner's API key. */
  const partnerClient = async (partner: Onboarded) => {
    const token = await requestToken(stack, { clientId: partner.clientId, secret: partner.clientSecret });
    expect(token.status, token.text).toBe(200);
    const client = api(stack, String(token.body.access_token));
    return { ...client, get: (path: string) => client.get(path, { 'x-api-key': partner.apiKey }) };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'car-sales-partners-'));
    stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, dataDir, limits: { now: () => now } });
    admin = api(stack, await tokenFor(stack, 'demo-admin'));
  });

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('onboards a partner (admin only), which then gets a token and calls the API with its key', async () => {
    const writer = api(stack, await tokenFor(stack, 'demo-writer'));
    expectProblem(await writer.post('/partners', { name: 'Not Allowed', tier: 'sandbox' }), 403);

    const partner = await onboard('Nordic Dealers AB', 'standard', 'writer');
    const client = await partnerClient(partner);
    const brands = await client.get('/brands');
    const withoutKey = await api(
      stack,
      (await requestToken(stack, { clientId: partner.clientId, secret: partner.clientSecret })).body
        .access_token as string,
    ).get('/brands');

    expect(partner).toMatchObject({ tier: 'standard', limits: TIERS.standard, role: 'writer' });
    expect(partner.clientSecret.length).toBeGreaterThan(20);
    expect(brands.status).toBe(200);
    expect(brands.headers.get('ratelimit-limit')).toBe(String(TIERS.standard.quotaPerDay));
    expect(brands.headers.get('ratelimit-remaining')).toBe(String(TIERS.standard.quotaPerDay - 1));
    expectProblem(withoutKey, 403);
    const listed = await admin.get<{ items: { clientId: string }[] }>('/partners');
    expect(listed.body.items.map((p) => p.clientId)).toContain(partner.clientId);
    const fetched = await admin.get<Record<string, unknown>>(`/partners/${partner.clientId}`);
    expect(fetched.body).not.toHaveProperty('clientSecret');
  });

  it('throttles two partners of different tiers independently, with the headers of each tier', async () => {
    const small = await partnerClient(await onboard('Small Dealer', 'sandbox'));
    const big = await partnerClient(await onboard('Big Analyst', 'premium'));

    const smallStatuses = [];
    for (let i = 0; i <= TIERS.sandbox.burstLimit; i++)
      smallStatuses.push((await small.get('/brands')).status);
    const throttled = await small.get('/brands');
    const bigAnswer = await big.get('/brands');

    expect(smallStatuses.slice(0, TIERS.sandbox.burstLimit)).toEqual(
      Array(TIERS.sandbox.burstLimit).fill(200),
    );
    expect(smallStatuses.at(-1)).toBe(429);
    expect(expectProblem(throttled, 429).type).toMatch(/too-many-requests$/);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(bigAnswer.status).toBe(200);
    expect(bigAnswer.headers.get('ratelimit-limit')).toBe(String(TIERS.premium.quotaPerDay));
  });

  it('refuses a partner past its daily quota until the next UTC day', async () => {
    const partner = await partnerClient(await onboard('Quota Tester', 'sandbox'));
    const { quotaPerDay, rateLimit } = TIERS.sandbox;
    for (let i = 0; i < quotaPerDay; i++) {
      if (i % rateLimit === 0) now += 1000; // a second per `rateLimit` requests: the rate never bites
      const response = await partner.get('/brands');
      if (response.status !== 200) throw new Error(`request ${i}: ${response.status} ${response.text}`);
    }

    now += 1000;
    const over = await partner.get('/brands');
    const secondsToMidnight = Math.ceil((Math.ceil(now / DAY_MS) * DAY_MS - now) / 1000);
    now = Math.ceil(now / DAY_MS) * DAY_MS + 1000;
    const nextDay = await partner.get('/brands');

    expect(expectProblem(over, 429).type).toMatch(/quota-exceeded$/);
    expect(over.headers.get('retry-after')).toBe(String(secondsToMidnight));
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    expect(nextDay.status).toBe(200);
    expect(nextDay.headers.get('ratelimit-remaining')).toBe(String(quotaPerDay - 1));
  }, 120_000);

  it('changes a partner tier, and its limits with it', async () => {
    const onboarded = await onboard('Growing Dealer', 'sandbox');

    const changed = await admin.patch<Onboarded>(`/partners/${onboarded.clientId}`, { tier: 'premium' });
    const answer = await (await partnerClient(onboarded)).get('/brands');

    expect(changed.body).toMatchObject({ tier: 'premium', limits: TIERS.premium });
    expect(answer.headers.get('ratelimit-limit')).toBe(String(TIERS.premium.quotaPerDay));
  });

  it('refuses a deleted partner a token at once, and the token it held', async () => {
    const onboarded = await onboard('Leaving Dealer', 'standard');
    const client = await partnerClient(onboarded);

    const deleted = await admin.request('DELETE', `/partners/${onboarded.clientId}`);
    const token = await requestToken(stack, { clientId: onboarded.clientId, secret: onboarded.clientSecret });
    const call = await client.get('/brands');

    expect(deleted.status).toBe(204);
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
    expectProblem(call, 401);
    expectProblem(await admin.get(`/partners/${onboarded.clientId}`), 404);
  });

  it('keeps partners under DATA_DIR across a restart', async () => {
    const onboarded = await onboard('Persistent Partner', 'standard');
    await stack.close();

    stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, dataDir, limits: { now: () => now } });
    admin = api(stack, await tokenFor(stack, 'demo-admin'));
    const answer = await (await partnerClient(onboarded)).get('/brands');

    expect(answer.status).toBe(200);
  });
});
