import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocsHandler } from '../../lambdas/docs/app';
import { proxyEvent } from '../../lambdas/shared/http/proxy-event';
import { type LocalStack, startLocalStack } from '../../local/stack';

const CHROMIUM = '/usr/bin/chromium';
const STAGE = 'v1';

/**
 * The deployed topology in miniature: the `docs` Lambda handler and the API behind one origin under the stage
 * (`/v1/...`), and the token endpoint on another origin that answers no CORS preflight, like Cognito's. The
 * local stack stands in for both the API (proxied) and Cognito (its `/oauth2/token`, reached as `localhost`).
 */
async function startDeployedLike(stack: LocalStack) {
  const tokenUrl = `http://localhost:${stack.port}/oauth2/token`;
  const docs = createDocsHandler({
    tokenUrl,
    assetDir: dirname(require.resolve('swagger-ui-dist/package.json')),
    scheme: 'http',
  });
  const relayed: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    const path = url.pathname.slice(`/${STAGE}`.length);
    const isDocs =
      (request.method === 'GET' &&
        (path === '/docs' || path.startsWith('/docs/') || path === '/openapi.yaml')) ||
      (request.method === 'POST' && path === '/docs/oauth2/token');
    if (!url.pathname.startsWith(`/${STAGE}/`)) {
      response.writeHead(404).end();
    } else if (isDocs) {
      if (request.method === 'POST') relayed.push(path);
      const result = await docs(
        proxyEvent({
          method: request.method ?? 'GET',
          resource: path,
          path,
          pathParameters: null,
          headers: Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
          body: body || null,
          claims: {},
          requestId: 'browser',
          stage: STAGE,
        }),
      );
      response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    } else {
      const upstream = await fetch(`${stack.url}${path}${url.search}`, {
        method: request.method,
        headers: Object.entries(request.headers).flatMap(([name, value]) =>
          name === 'host' || name === 'connection' || value === undefined ? [] : [[name, String(value)]],
        ) as [string, string][],
        ...(body && { body }),
      });
      response.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'text/plain',
      });
      response.end(Buffer.from(await upstream.arrayBuffer()));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${STAGE}`,
    tokenUrl,
    relayed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('Page: /docs as deployed (Lambda handler, token endpoint on another origin)', () => {
  let stack: LocalStack;
  let deployed: Awaited<ReturnType<typeof startDeployedLike>>;
  let browser: Browser;
  const brandName = `Deployed Docs Motors ${Date.now()}`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing; run .ci/install-chromium.sh (apt-get install chromium)`);
    }
    [stack, browser] = await Promise.all([
      startLocalStack(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--no-first-run',
        ],
      }),
    ]);
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
    await dialog.getByRole('button', { name: 'Close' }).click();

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
