import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsPages } from '../../local/docs';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { launchChromium } from '../support/browser';

const SCREENSHOT = 'test-results/docs.png';

async function token(url: string, clientId: string): Promise<string> {
  const response = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(response.status).toBe(200);
  const { access_token } = (await response.json()) as { access_token: string };
  return access_token;
}

describe('Page: /docs (Swagger UI)', () => {
  let stack: LocalStack;
  let browser: Browser;
  const brandName = `Docs Test Motors ${Date.now()}`;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLocalStack({ pages: docsPages() }), launchChromium()]);
    const created = await fetch(`${stack.url}/brands`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token(stack.url, 'demo-writer')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: brandName, country: 'DE' }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('authorizes with client credentials and lists brands with Try it out', async () => {
    // Arrange
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    page.setDefaultTimeout(10_000);
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${stack.url}/`);
    expect(new URL(page.url()).pathname).toBe('/docs');
    await page.locator('.information-container .title', { hasText: 'Car Sales API' }).waitFor();

    // Act: authorize as demo-reader (client credentials), then run GET /brands.
    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input[id^="client_id"]').fill('demo-reader');
    await dialog.locator('input[id^="client_secret"]').fill('demo-reader-secret');
    await dialog.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor();
    // One Close per security scheme (the API key's and OAuth2's); any of them closes the dialog.
    await dialog.getByRole('button', { name: 'Close' }).first().click();

    const operation = page.locator('#operations-Brands-listBrands');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const live = operation.locator('.live-responses-table');
    await live.locator('.response-col_status').first().waitFor();
    mkdirSync('test-results', { recursive: true });
    // The operation from its summary down to the live response, in one viewport.
    await operation.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: SCREENSHOT });

    // Assert
    const status = await live.locator('.response .response-col_status').first().textContent();
    const shownBody = await live.locator('.response .response-col_description').first().textContent();
    expect(status?.trim()).toBe('200');
    expect(shownBody).toContain(brandName);
    expect(failed).toEqual([]);
  });
});
