import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type DeployedLike, launchChromium, startDeployedLike } from '../support/browser';

describe('Page: /docs as deployed (Lambda handler, token endpoint on another origin)', () => {
  let stack: LocalStack;
  let deployed: DeployedLike;
  let browser: Browser;
  const brandName = `Deployed Docs Motors ${Date.now()}`;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLocalStack(), launchChromium()]);
    deployed = await startDeployedLike(stack);
    const token = await fetch(deployed.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('demo-writer:demo-writer-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const created = await fetch(`${stack.url}/brands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: brandName, country: 'DE' }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await deployed?.close();
    await stack?.close();
  });

  it('authorizes through the same-origin relay with credentials typed in, and lists brands', async () => {
    // Arrange
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    page.setDefaultTimeout(10_000);
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${deployed.url}/docs`);
    await page.locator('.information-container .title', { hasText: 'Car Sales API' }).waitFor();
    // The stand-in is as unreachable from the page as Cognito is: the browser blocks the token request.
    const direct = await page.evaluate(async (tokenUrl) => {
      try {
        await fetch(tokenUrl, {
          method: 'POST',
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
          body: '',
        });
        return 'reached';
      } catch {
        return 'blocked';
      }
    }, deployed.tokenUrl);
    expect(direct).toBe('blocked');

    // Act: the dialog shows the real token URL and nothing pre-filled; the partner types their client.
    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await expect(dialog.textContent()).resolves.toContain(deployed.tokenUrl);
    const clientId = dialog.locator('input[id^="client_id"]');
    const clientSecret = dialog.locator('input[id^="client_secret"]');
    await expect(clientId.inputValue()).resolves.toBe('');
    await expect(clientSecret.inputValue()).resolves.toBe('');
    await clientId.fill('demo-reader');
    await clientSecret.fill('demo-reader-secret');
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

    // Assert
    const status = await live.locator('.response .response-col_status').first().textContent();
    const shownBody = await live.locator('.response .response-col_description').first().textContent();
    expect(status?.trim()).toBe('200');
    expect(shownBody).toContain(brandName);
    expect(await operation.locator('.request-url').textContent()).toContain(`${deployed.url}/brands`);
    expect(deployed.relayed).toEqual(['/docs/oauth2/token']);
    expect(failed).toEqual([]);
  });
});
