import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createApiClient, fetchToken, requestToken, type Schemas } from '../../client';
import { TIERS, type TierName } from '../../lambdas/partner/tiers';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { expectData, expectProblem, expectStatus, keepText, rawOf } from '../support/api';
import { clientOf } from '../support/fixtures';

type Onboarded = Schemas['PartnerCreated'];

const DAY_MS = 86_400_000;

describe('Partners over real HTTP on the local stack', () => {
  let stack: LocalStack;
  let dataDir: string;
  let admin: ApiClient;
  // The limiter's clock: frozen unless a test moves it, so no bucket refills behind a test's back.
  let now = Date.UTC(2026, 5, 1, 12);

  const onboard = async (name: string, tier: TierName, role: Onboarded['role'] = 'reader') =>
    expectData(await admin.POST('/partners', { body: { name, tier, role } }), 201);
  /** A typed client with a fresh token of an onboarded partner, sending its API key unless `withKey` is false. */
  const partnerClient = async (partner: Onboarded, withKey = true) => {
    const token = await fetchToken(stack.url, {
      clientId: partner.clientId,
      clientSecret: partner.clientSecret,
    });
    const headers = withKey ? { 'x-api-key': partner.apiKey } : {};
    const client = createApiClient(stack.url, token.access_token, { headers });
    client.use(keepText);
    return client;
  };
  const brands = (client: ApiClient) => client.GET('/brands');
  const partnerPath = (clientId: string) => ({ params: { path: { clientId } } });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'car-sales-partners-'));
    stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, dataDir, limits: { now: () => now } });
    admin = await clientOf(stack, 'demo-admin');
  });

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('onboards a partner (admin only), which then gets a token and calls the API with its key', async () => {
    const writer = await clientOf(stack, 'demo-writer');
    expectProblem(
      await writer.POST('/partners', { body: { name: 'Not Allowed', tier: 'sandbox', role: 'reader' } }),
      403,
    );

    const partner = await onboard('Nordic Dealers AB', 'standard', 'writer');
    const listedBrands = rawOf(await brands(await partnerClient(partner)));
    const withoutKey = await brands(await partnerClient(partner, false));

    expect(partner).toMatchObject({ tier: 'standard', limits: TIERS.standard, role: 'writer' });
    expect(partner.clientSecret.length).toBeGreaterThan(20);
    expectStatus(listedBrands, 200);
    expect(listedBrands.headers.get('ratelimit-limit')).toBe(String(TIERS.standard.quotaPerDay));
    expect(listedBrands.headers.get('ratelimit-remaining')).toBe(String(TIERS.standard.quotaPerDay - 1));
    expectProblem(withoutKey, 403);
    const listed = expectData(await admin.GET('/partners'));
    expect(listed.items.map((p) => p.clientId)).toContain(partner.clientId);
    const fetched = expectData(await admin.GET('/partners/{clientId}', partnerPath(partner.clientId)));
    expect(fetched).not.toHaveProperty('clientSecret');
  });

  it('throttles two partners of different tiers independently, with the headers of each tier', async () => {
    const small = await partnerClient(await onboard('Small Dealer', 'sandbox'));
    const big = await partnerClient(await onboard('Big Analyst', 'premium'));

    const smallStatuses = [];
    for (let i = 0; i <= TIERS.sandbox.burstLimit; i++)
      smallStatuses.push((await brands(small)).response.status);
    const throttled = rawOf(await brands(small));
    const bigAnswer = rawOf(await brands(big));

    expect(smallStatuses.slice(0, TIERS.sandbox.burstLimit)).toEqual(
      Array(TIERS.sandbox.burstLimit).fill(200),
    );
    expect(smallStatuses.at(-1)).toBe(429);
    expect(expectProblem(throttled, 429).type).toMatch(/too-many-requests$/);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expectStatus(bigAnswer, 200);
    expect(bigAnswer.headers.get('ratelimit-limit')).toBe(String(TIERS.premium.quotaPerDay));
  });

  it('refuses a partner past its daily quota until the next UTC day', async () => {
    const partner = await partnerClient(await onboard('Quota Tester', 'sandbox'));
    const { quotaPerDay, rateLimit } = TIERS.sandbox;
    for (let i = 0; i < quotaPerDay; i++) {
      if (i % rateLimit === 0) now += 1000; // a second per `rateLimit` requests: the rate never bites
      const { status, text } = rawOf(await brands(partner));
      if (status !== 200) throw new Error(`request ${i}: ${status} ${text}`);
    }

    now += 1000;
    const over = rawOf(await brands(partner));
    const secondsToMidnight = Math.ceil((Math.ceil(now / DAY_MS) * DAY_MS - now) / 1000);
    now = Math.ceil(now / DAY_MS) * DAY_MS + 1000;
    const nextDay = rawOf(await brands(partner));

    expect(expectProblem(over, 429).type).toMatch(/quota-exceeded$/);
    expect(over.headers.get('retry-after')).toBe(String(secondsToMidnight));
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    expectStatus(nextDay, 200);
    expect(nextDay.headers.get('ratelimit-remaining')).toBe(String(quotaPerDay - 1));
  }, 120_000);

  it('changes a partner tier, and its limits with it', async () => {
    const onboarded = await onboard('Growing Dealer', 'sandbox');

    const changed = await admin.PATCH('/partners/{clientId}', {
      ...partnerPath(onboarded.clientId),
      body: { tier: 'premium' },
    });
    const answer = rawOf(await brands(await partnerClient(onboarded)));

    expect(expectData(changed)).toMatchObject({ tier: 'premium', limits: TIERS.premium });
    expect(answer.headers.get('ratelimit-limit')).toBe(String(TIERS.premium.quotaPerDay));
  });

  it('refuses a deleted partner a token at once, and the token it held', async () => {
    const onboarded = await onboard('Leaving Dealer', 'standard');
    const client = await partnerClient(onboarded);

    const deleted = await admin.DELETE('/partners/{clientId}', partnerPath(onboarded.clientId));
    const token = await requestToken(stack.url, {
      clientId: onboarded.clientId,
      clientSecret: onboarded.clientSecret,
    });
    const call = await brands(client);

    expectStatus(deleted, 204);
    expect(token.status).toBe(401);
    expect(((await token.json()) as { error?: string }).error).toBe('invalid_client');
    expectProblem(call, 401);
    expectProblem(await admin.GET('/partners/{clientId}', partnerPath(onboarded.clientId)), 404);
  });

  it('keeps partners under DATA_DIR across a restart', async () => {
    const onboarded = await onboard('Persistent Partner', 'standard');
    await stack.close();

    stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, dataDir, limits: { now: () => now } });
    admin = await clientOf(stack, 'demo-admin');
    const answer = await brands(await partnerClient(onboarded));

    expectStatus(answer, 200);
  });
});
