/**
 * The partner dashboard in headless Chromium against the local stack: data seeded through the API, a range in
 * the URL, sign-in as the demo reader, and every figure shown checked against the API's own answers.
 * Screenshots (desktop and phone width) go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, operations, Schemas } from '../../client';
import type { Sql } from '../../lambdas/shared/sql/port';
import { docsPages } from '../../local/docs';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { expectData } from '../support/api';
import { type DeployedLike, launchChromium, startDeployedLike } from '../support/browser';
import { clientOf } from '../support/fixtures';

type Brand = Schemas['Brand'];
type Model = Schemas['Model'];

// The browser globals the page functions below use (this project's tsconfig has no DOM library).
declare const document: {
  documentElement: { scrollWidth: number };
  cookie: string;
  activeElement: { id: string } | null;
};
declare const localStorage: { length: number };
declare const sessionStorage: { length: number };
interface Canvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

const ARTIFACTS = 'test-results';
const RANGE = { from: '2025-01-01', to: '2025-03-31' };

type QueryOf<Operation extends keyof operations> = operations[Operation]['parameters']['query'];

/** The API's answers the dashboard shows, read with the typed client. */
const stats = {
  revenue: async (client: ApiClient, query: QueryOf<'getRevenue'>) =>
    expectData(await client.GET('/stats/revenue', { params: { query } })),
  top: async (client: ApiClient, query: QueryOf<'getTopModels'>) =>
    expectData(await client.GET('/stats/models/top', { params: { query } })),
};

/** A brand and a model of it, created by `writer`. */
async function brandWithModel(writer: ApiClient, brandName: string, modelName: string) {
  const brand = expectData(await writer.POST('/brands', { body: { name: brandName } }), 201);
  const model = expectData(
    await writer.POST('/models', { body: { brandId: brand.id, name: modelName } }),
    201,
  );
  return { brand, model };
}

/** Everything the page did that a test must see: requests, console errors, uncaught exceptions. */
function watch(page: Page) {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return { requests, errors };
}

/** Pixels of the chart's canvas in a colour (not white, grey or black): the series, not the axes. */
function colouredPixels(page: Page, panelId: string): Promise<number> {
  return page.locator(`#${panelId} canvas`).evaluate((element) => {
    const canvas = element as unknown as Canvas;
    const context = canvas.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) count++;
    }
    return count;
  });
}

async function signInAsDemoReader(page: Page) {
  const clientId = page.getByLabel('Client ID');
  await expect.poll(() => clientId.inputValue()).toBe('demo-reader');
  expect(await page.getByLabel('Client secret').inputValue()).toBe('demo-reader-secret');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible' });
}

const money = (amount: string, currency: string, locale: string) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount as Intl.StringNumericLiteral);

const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"]`);

/** Waits until every panel has settled (drawn, empty or failed). */
async function settled(page: Page) {
  await page.locator('#summary:not([aria-busy])').waitFor();
  for (const id of ['daily', 'top', 'brand', 'model']) {
    await page
      .locator(`#${id}:is([data-state="ready"], [data-state="empty"], [data-state="error"])`)
      .waitFor();
  }
}

describe('Page: /dashboard', () => {
  let stack: LocalStack;
  let browser: Browser;
  let reader: ApiClient;
  let origin: string;
  let brandA: Brand;
  let models: Model[];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startLocalStack({ pages: docsPages(), projectorIntervalMs: 0 }),
      launchChromium(),
    ]);
    origin = new URL(stack.url).origin;
    const writer = await clientOf(stack, 'demo-writer');
    reader = await clientOf(stack, 'demo-reader');
    const brand = async (name: string) =>
      expectData(await writer.POST('/brands', { body: { name, country: 'DE' } }), 201);
    const model = async (brandId: string, name: string) =>
      expectData(await writer.POST('/models', { body: { brandId, name } }), 201);
    brandA = await brand('Nordwerk');
    const brandB = await brand('Lumen Autos');
    models = [
      await model(brandA.id, 'Strom 4'),
      await model(brandA.id, 'Kiesel'),
      await model(brandB.id, 'Pilot'),
    ];
    const prices = ['18990.00', '24500.50', '31999.99'];
    const sales: Schemas['SaleCreate'][] = Array.from({ length: 45 }, (_, i) => {
      const day = new Date(Date.UTC(2025, 0, 1 + ((i * 7) % 89)));
      return {
        modelId: models[i % 3]?.id ?? '',
        soldAt: `${day.toISOString().slice(0, 10)}T${String(8 + (i % 10)).padStart(2, '0')}:15:00Z`,
        quantity: 1 + (i % 3),
        unitPrice: prices[(i * 5) % 3] ?? '1.00',
        currency: 'EUR',
      };
    });
    // Outside the range, and in another currency: neither may show up.
    sales.push(
      { modelId: models[0]?.id ?? '', soldAt: '2024-12-31T23:59:00Z', quantity: 9, unitPrice: '99999.00' },
      { modelId: models[1]?.id ?? '', soldAt: '2025-04-01T00:00:00Z', quantity: 9, unitPrice: '99999.00' },
      {
        modelId: models[2]?.id ?? '',
        soldAt: '2025-02-10T10:00:00Z',
        quantity: 5,
        unitPrice: '500.00',
        currency: 'USD',
      },
    );
    expectData(await writer.POST('/sales/batch', { body: { sales } }), 201);
    await stack.projector.drain();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** The dashboard's own query string (its URL), for the range in EUR. */
  const query = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ ...RANGE, currency: 'EUR', ...extra }).toString();
  const inEur = { ...RANGE, currency: 'EUR' };

  it('shows the API figures for the range in the URL, draws every chart, and stays on its origin', async () => {
    // Arrange
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const seen = watch(page);
    const view = query({ brandId: brandA.id, modelId: models[0]?.id ?? '', granularity: 'month' });

    // Act
    await page.goto(`${stack.url}/dashboard?${view}`);
    await signInAsDemoReader(page);
    await settled(page);

    // Assert: the headline figures are the API's, exactly, and formatted for the reader's locale.
    const revenue = await stats.revenue(reader, inEur);
    expect(revenue.orders).toBe(45);
    expect(await figure(page, 'totalRevenue').getAttribute('data-value')).toBe(revenue.totalRevenue);
    expect(await figure(page, 'orders').getAttribute('data-value')).toBe(String(revenue.orders));
    expect(await figure(page, 'averageOrderValue').getAttribute('data-value')).toBe(
      revenue.averageOrderValue,
    );
    expect(await figure(page, 'totalRevenue').textContent()).toBe(
      money(revenue.totalRevenue, 'EUR', 'en-US'),
    );
    expect(await figure(page, 'orders').textContent()).toBe('45');
    expect(await figure(page, 'averageOrderValue').textContent()).toBe(
      money(revenue.averageOrderValue ?? '', 'EUR', 'en-US'),
    );

    // Assert: each chart is drawn, and its table holds the API's values.
    for (const id of ['daily', 'top', 'brand', 'model']) {
      expect(await page.locator(`#${id}`).getAttribute('data-state'), id).toBe('ready');
      expect(await colouredPixels(page, id), id).toBeGreaterThan(200);
    }
    const daily = expectData(await reader.GET('/stats/revenue/daily', { params: { query: inEur } }));
    const dailyValues = await page
      .locator('#daily .table-alt tbody tr td:nth-child(2)')
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-value')));
    expect(dailyValues).toEqual(daily.days.map((day) => day.revenue));
    expect(dailyValues).toHaveLength(90);

    const top = await stats.top(reader, { ...inEur, by: 'units', limit: 10 });
    expect(top.namesStale).toBe(false);
    expect(await page.locator('#top .table-alt tbody th').allTextContents()).toEqual(
      top.items.map((i) => String(i.rank)),
    );
    expect(await page.locator('#top .table-alt tbody tr td:nth-child(2)').allTextContents()).toEqual(
      top.items.map((i) => i.modelName),
    );
    expect(await page.locator('#top .notice').isHidden()).toBe(true);

    const brandStats = expectData(
      await reader.GET('/stats/brands/{brandId}', { params: { path: { brandId: brandA.id }, query: inEur } }),
    );
    const brandRevenue = await page
      .locator('#brand .table-alt tbody tr td:nth-child(3)')
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-value')));
    expect([...brandRevenue].sort()).toEqual(brandStats.models.map((m) => m.revenue).sort());
    expect(brandRevenue).toHaveLength(2);
    expect(await page.locator('#brand-select').inputValue()).toBe(brandA.id);

    const modelSales = expectData(
      await reader.GET('/models/{modelId}/sales', {
        params: { path: { modelId: models[0]?.id ?? '' }, query: { ...inEur, granularity: 'month' } },
      }),
    );
    expect(await page.locator('#model .table-alt tbody th').allTextContents()).toEqual([
      '2025-01',
      '2025-02',
      '2025-03',
    ]);
    expect(
      await page
        .locator('#model .table-alt tbody tr td:nth-child(3)')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-value'))),
    ).toEqual(modelSales.periods.map((p) => p.revenue));

    // Assert: nothing left the page's origin, nothing was logged as an error.
    expect(seen.requests.length).toBeGreaterThan(5);
    expect(seen.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(seen.errors).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop.png`, fullPage: true });
    await context.close();
  });

  it('fits a phone screen, formats for its locale and keeps the view in the URL', async () => {
    // Arrange
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'de-DE',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const seen = watch(page);
    await page.goto(`${stack.url}/dashboard?${query()}`);
    await signInAsDemoReader(page);
    await settled(page);

    // Assert: German formatting of the same exact amount, no sideways scrolling, charts drawn.
    const revenue = await stats.revenue(reader, inEur);
    expect(await figure(page, 'totalRevenue').textContent()).toBe(
      money(revenue.totalRevenue, 'EUR', 'de-DE'),
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await colouredPixels(page, 'daily')).toBeGreaterThan(200);
    expect(await page.locator('#brand').getAttribute('data-state')).toBe('empty');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });

    // Act: rank by revenue with the keyboard, then pick a brand; both land in the URL.
    await page.getByLabel('Revenue', { exact: true }).focus();
    await page.keyboard.press('Space');
    await expect.poll(() => new URL(page.url()).searchParams.get('by')).toBe('revenue');
    await page.locator('#brand-select').selectOption(brandA.id);
    await expect.poll(() => new URL(page.url()).searchParams.get('brandId')).toBe(brandA.id);
    await settled(page);

    // Assert: the ranking follows, and the URL alone reproduces the view.
    const byRevenue = await stats.top(reader, { ...inEur, by: 'revenue', limit: 10 });
    expect(await page.locator('#top .table-alt tbody tr td:nth-child(2)').allTextContents()).toEqual(
      byRevenue.items.map((i) => i.modelName),
    );
    expect(await page.locator('#brand').getAttribute('data-state')).toBe('ready');
    expect(new URL(page.url()).search).toBe(`?${query({ brandId: brandA.id, by: 'revenue' })}`);
    expect(seen.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('applies a preset range and keeps the other choices', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.url}/dashboard?${query({ brandId: brandA.id })}`);
    await signInAsDemoReader(page);
    await settled(page);

    await page.getByRole('button', { name: 'Last 30 days' }).click();

    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    await expect.poll(() => new URL(page.url()).searchParams.get('to')).toBe(today);
    const params = new URL(page.url()).searchParams;
    expect(params.get('from')).toBe(from);
    expect(params.get('brandId')).toBe(brandA.id);
    expect(params.get('currency')).toBe('EUR');
    expect(await page.getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await settled(page);
    // Nothing was sold in the last 30 days.
    expect(await figure(page, 'orders').getAttribute('data-value')).toBe('0');
    expect(await page.locator('#daily').getAttribute('data-state')).toBe('empty');
    await page.close();
  });

  it('asks to sign in again when the token has expired or is refused, and keeps no token anywhere', async () => {
    // Arrange: a JWT that expired an hour ago, and one the API refuses.
    const payload = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) - 3600 })).toString(
      'base64url',
    );
    const expired = `eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln`;
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const seen = watch(page);
    await page.goto(`${stack.url}/dashboard?${query()}`);

    // Act + Assert: expired before any request.
    await page.getByText('Or paste an access token').click();
    await page.getByRole('textbox', { name: 'Access token' }).fill(expired);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expect.poll(() => page.locator('.sign-in-message').textContent()).toMatch(/expired.*Sign in again/);
    expect(await page.locator('#dashboard').isHidden()).toBe(true);

    // Act + Assert: refused by the API (401).
    await page.getByRole('textbox', { name: 'Access token' }).fill('not-a-token');
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expect
      .poll(() => page.locator('.sign-in-message').textContent())
      .toMatch(/did not accept the token/);
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('client-id');

    // Act + Assert: a fresh sign-in works, and nothing of it is kept in storage or the URL.
    await signInAsDemoReader(page);
    await settled(page);
    expect(await figure(page, 'orders').getAttribute('data-value')).toBe('45');
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
    expect(stored).toEqual([0, 0, '']);
    expect(page.url()).not.toMatch(/token|secret/i);
    // The refused token's 401 is the only error the browser logs.
    expect(seen.errors.every((error) => /401/.test(error))).toBe(true);
    await page.close();
  });
});

describe('Page: /dashboard when requests are throttled', () => {
  let stack: LocalStack;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      // One request, then a wait far beyond what the dashboard waits for on its own.
      startLocalStack({
        pages: docsPages(),
        projectorIntervalMs: 0,
        limits: { override: { rateLimit: 0.001, burstLimit: 1, quotaPerDay: 1_000_000 } },
      }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('says that the API answered 429, how long it asks to wait, and offers to retry', async () => {
    // Arrange
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const throttled: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 429) throttled.push(response.url());
    });

    // Act: four requests at once (revenue, daily, top models, brands), one allowed.
    await page.goto(`${stack.url}/dashboard?${new URLSearchParams(RANGE)}`);
    await signInAsDemoReader(page);
    await settled(page);

    // Assert
    expect(throttled).toHaveLength(3);
    const alerts = await page.locator('[role="alert"]').allTextContents();
    expect(
      alerts.filter((text) => /^Too many requests: the API asks to wait 1000 s/.test(text)),
    ).toHaveLength(3);
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(3);
    await page.close();
  });
});

describe('Page: /dashboard while the catalog is down', () => {
  let stack: LocalStack;
  let browser: Browser;
  let reader: ApiClient;
  let brand: Brand;
  const faults = { catalogDown: false };
  /** The catalog services' single-row reads (brand and model by id), as in test/stats/stale-names.test.ts. */
  const CATALOG_READ = /\bFROM (brands|models) WHERE id = :id::uuid(?!\s+FOR UPDATE)/;
  const failingCatalog = (sql: Sql): Sql => ({
    query: (text, params) =>
      faults.catalogDown && CATALOG_READ.test(text)
        ? Promise.reject(new Error('injected: catalog unavailable'))
        : sql.query(text, params),
    transaction: (work) => sql.transaction((tx) => work(failingCatalog(tx))),
  });

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startLocalStack({
        pages: docsPages(),
        projectorIntervalMs: 0,
        // Names are looked up again on every answer (nothing stays fresh), so the outage shows at once.
        catalog: { ttlMs: 0, attempts: 1, timeoutMs: 1000 },
        wrapSql: failingCatalog,
      }),
      launchChromium(),
    ]);
    const writer = await clientOf(stack, 'demo-writer');
    reader = await clientOf(stack, 'demo-reader');
    const created = await brandWithModel(writer, 'Stale Motors', 'Old Name');
    brand = created.brand;
    const sale = {
      modelId: created.model.id,
      soldAt: '2025-02-02T10:00:00Z',
      quantity: 2,
      unitPrice: '1000.00',
    };
    expectData(await writer.POST('/sales', { body: sale }), 201);
    await stack.projector.drain();
    // The stats service learns the names once, then the catalog goes down.
    expect((await stats.top(reader, RANGE)).namesStale).toBe(false);
    expectData(
      await reader.GET('/stats/brands/{brandId}', { params: { path: { brandId: brand.id }, query: RANGE } }),
    );
    faults.catalogDown = true;
  });

  afterAll(async () => {
    faults.catalogDown = false;
    await browser?.close();
    await stack?.close();
  });

  it('shows the names the API still has and says that they may be out of date', async () => {
    // Arrange
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const seen = watch(page);

    // Act
    await page.goto(`${stack.url}/dashboard?${new URLSearchParams({ ...RANGE, brandId: brand.id })}`);
    await signInAsDemoReader(page);
    await settled(page);

    // Assert
    const top = await stats.top(reader, RANGE);
    expect(top.namesStale).toBe(true);
    for (const id of ['top', 'brand']) {
      expect(await page.locator(`#${id}`).getAttribute('data-state'), id).toBe('ready');
      expect(await page.locator(`#${id} .notice`).textContent(), id).toMatch(/Names may be out of date/);
    }
    expect(await page.locator('#top .table-alt tbody tr td:nth-child(2)').allTextContents()).toEqual(
      top.items.map((item) => item.modelName ?? `Unnamed model ${item.modelId.slice(0, 8)}`),
    );
    expect(seen.errors).toEqual([]);
    await page.close();
  });
});

describe('Page: /dashboard as deployed (docs Lambda handler below the stage, token endpoint elsewhere)', () => {
  let stack: LocalStack;
  let deployed: DeployedLike;
  let browser: Browser;
  let reader: ApiClient;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLocalStack({ projectorIntervalMs: 0 }), launchChromium()]);
    deployed = await startDeployedLike(stack);
    const writer = await clientOf(stack, 'demo-writer');
    reader = await clientOf(stack, 'demo-reader');
    const { model } = await brandWithModel(writer, 'Deployed Motors', 'Cloud One');
    const sales = [3, 5, 8].map((day) => ({
      modelId: model.id,
      soldAt: `2025-03-0${day}T09:00:00Z`,
      quantity: 1,
      unitPrice: `${day}000.10`,
    }));
    expectData(await writer.POST('/sales/batch', { body: { sales } }), 201);
    await stack.projector.drain();
  });

  afterAll(async () => {
    await browser?.close();
    await deployed?.close();
    await stack?.close();
  });

  it('signs in with typed credentials through the same-origin relay and calls the API below the stage', async () => {
    // Arrange
    const page = await browser.newPage({ locale: 'en-US' });
    page.setDefaultTimeout(15_000);
    const seen = watch(page);
    const origin = new URL(deployed.url).origin;

    // Act: nothing is pre-filled in AWS; the partner types their client.
    await page.goto(`${deployed.url}/dashboard?${new URLSearchParams(RANGE)}`);
    expect(await page.getByLabel('Client ID').inputValue()).toBe('');
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');
    await page.getByLabel('Client ID').fill('demo-reader');
    await page.getByLabel('Client secret').fill('demo-reader-secret');
    await page.getByLabel('Client secret').press('Enter');
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    await settled(page);

    // Assert
    const revenue = await stats.revenue(reader, RANGE);
    expect(await figure(page, 'totalRevenue').getAttribute('data-value')).toBe(revenue.totalRevenue);
    expect(revenue.totalRevenue).toBe('16000.30');
    expect(await colouredPixels(page, 'daily')).toBeGreaterThan(200);
    expect(deployed.relayed).toEqual(['/docs/oauth2/token']);
    const paths = seen.requests.map((url) => new URL(url));
    expect(paths.filter((url) => url.origin !== origin)).toEqual([]);
    expect(paths.filter((url) => !url.pathname.startsWith('/v1/'))).toEqual([]);
    expect(paths.some((url) => url.pathname === '/v1/stats/revenue')).toBe(true);
    expect(seen.errors).toEqual([]);
    await page.close();
  });
});
