import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { createDocsHandler, createDocsLambda } from '../../lambdas/docs/app';
import { DASHBOARD_CSP, type DashboardFiles } from '../../lambdas/docs/dashboard';
import { DASHBOARD_CONFIG_ID } from '../../lambdas/docs/dashboard-config';
import { proxyEvent } from '../../lambdas/shared/http/proxy-event';
import { logger } from '../../lambdas/shared/powertools';

const TOKEN_URL = 'https://sales-api-123456789012.auth.eu-central-1.amazoncognito.com/oauth2/token';
const HOST = 'abc123.execute-api.eu-central-1.amazonaws.com';
const SWAGGER_UI_DIST = dirname(require.resolve('swagger-ui-dist/package.json'));

interface EventInput {
  method?: string;
  path: string;
  headers?: [string, string][];
  body?: string;
  stage?: string;
}

/** A REST proxy event as API Gateway sends it for the docs methods (no authorizer claims). */
function event({ method = 'GET', path, headers = [['Host', HOST]], body, stage = 'v1' }: EventInput) {
  return proxyEvent({
    method,
    resource: /^\/(docs|dashboard)\/./.test(path) ? `/${path.split('/')[1]}/{proxy+}` : path,
    path,
    pathParameters: null,
    headers,
    body: body ?? null,
    claims: {},
    requestId: 'req-1',
    stage,
  });
}

/** Stand-ins for the built dashboard (the CDK bundle test serves the real build). */
const DASHBOARD_FILES: DashboardFiles = {
  'dashboard.js': 'document.title = "built";',
  'dashboard.css': 'body { margin: 0; }',
};

const arrange = (
  fetchImpl?: typeof fetch,
  dashboard: () => Promise<DashboardFiles> = async () => DASHBOARD_FILES,
) =>
  createDocsHandler({
    tokenUrl: TOKEN_URL,
    assetDir: SWAGGER_UI_DIST,
    dashboard,
    ...(fetchImpl && { fetch: fetchImpl }),
  });

/** The JSON config a dashboard page carries. */
function configOf(html: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${DASHBOARD_CONFIG_ID}">(.*?)</script>`).exec(
    html,
  );
  return match?.[1] === undefined ? undefined : JSON.parse(match[1]);
}

describe('Function: docs (Lambda handler)', () => {
  describe('GET /docs', () => {
    it('serves Swagger UI below the stage, relaying tokens and pre-filling no credentials', async () => {
      // Arrange
      const handler = arrange();

      // Act
      const response = await handler(event({ path: '/docs' }));

      // Assert
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('src="/v1/docs/assets/swagger-ui-bundle.js"');
      expect(response.body).toContain('href="/v1/docs/assets/swagger-ui.css"');
      expect(response.body).toContain('"url":"/v1/openapi.yaml"');
      expect(response.body).toContain(`"relay":{"from":"${TOKEN_URL}","to":"/v1/docs/oauth2/token"}`);
      expect(response.body).not.toContain('initOAuth');
      expect(response.body).not.toMatch(/client_?secret/i);
    });
  });

  describe('GET /openapi.yaml', () => {
    it("names this deployment's token URL and the server URL the request came to", async () => {
      // Arrange
      const handler = arrange();

      // Act
      const response = await handler(event({ path: '/openapi.yaml' }));

      // Assert
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe('application/yaml; charset=utf-8');
      expect(response.body).toContain(TOKEN_URL);
      expect(response.body).toContain(`https://${HOST}/v1`);
      const document = parse(response.body);
      expect(document.servers).toEqual([{ url: `https://${HOST}/v1` }]);
      expect(document.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe(TOKEN_URL);
      const committed = parse(readFileSync(join(__dirname, '..', '..', 'openapi.yaml'), 'utf8'));
      expect(Object.keys(document.paths).sort()).toEqual(Object.keys(committed.paths).sort());
    });

    it('prefers the domain API Gateway received the request on, and follows a custom domain mapping', async () => {
      // Arrange: a custom domain mapped at its root, so the path as requested has no stage in it.
      const handler = arrange();
      const request: APIGatewayProxyEvent = event({ path: '/openapi.yaml', headers: [['Host', 'ignored']] });
      request.requestContext.domainName = 'api.example.com';
      request.requestContext.path = '/openapi.yaml';

      // Act
      const response = await handler(request);

      // Assert
      expect(parse(response.body).servers).toEqual([{ url: 'https://api.example.com' }]);
    });

    it('falls back to a relative server URL when the host is unusable', async () => {
      const response = await arrange()(event({ path: '/openapi.yaml', headers: [['Host', 'evil"<host>']] }));

      expect(parse(response.body).servers).toEqual([{ url: '/v1' }]);
    });
  });

  describe('GET /docs/{proxy+}', () => {
    it.each([
      ['swagger-ui.css', 'text/css; charset=utf-8'],
      ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
    ])('serves %s from the bundled swagger-ui-dist files as %s', async (file, contentType) => {
      // Act
      const response = await arrange()(event({ path: `/docs/assets/${file}` }));

      // Assert
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe(contentType);
      expect(response.body).toBe(readFileSync(join(SWAGGER_UI_DIST, file), 'utf8'));
    });

    it.each([
      '/docs/assets/swagger-ui.js.map',
      '/docs/assets/package.json',
      '/docs/assets/../package.json',
      '/docs/assets/',
      '/docs/anything',
    ])('answers %s with 404 problem details', async (path) => {
      // Act
      const response = await arrange()(event({ path }));

      // Assert
      expect(response.statusCode).toBe(404);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(JSON.parse(response.body)).toMatchObject({ status: 404, requestId: 'req-1' });
    });
  });

  describe('POST /docs/oauth2/token', () => {
    it('forwards the form and the Basic credentials to the token URL and returns its answer unstored', async () => {
      // Arrange
      const upstream = vi.fn<typeof fetch>(
        async () =>
          new Response('{"access_token":"t","token_type":"Bearer","expires_in":3600}', {
            status: 200,
            headers: { 'content-type': 'application/json;charset=UTF-8' },
          }),
      );
      const handler = arrange(upstream);
      const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`;

      // Act
      const response = await handler(
        event({
          method: 'POST',
          path: '/docs/oauth2/token',
          headers: [
            ['Host', HOST],
            ['Authorization', basic],
            ['Content-Type', 'application/x-www-form-urlencoded'],
            ['X-Requested-With', 'XMLHttpRequest'],
          ],
          body: 'grant_type=client_credentials&scope=sales-api%2Fread',
        }),
      );

      // Assert
      expect(response).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' },
        body: '{"access_token":"t","token_type":"Bearer","expires_in":3600}',
      });
      expect(upstream).toHaveBeenCalledOnce();
      const [url, init] = upstream.mock.calls[0] ?? [];
      expect(url).toBe(TOKEN_URL);
      expect(init).toMatchObject({
        method: 'POST',
        body: 'grant_type=client_credentials&scope=sales-api%2Fread',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: basic,
        },
      });
    });

    it("passes the token endpoint's errors through", async () => {
      const upstream = vi.fn<typeof fetch>(
        async () =>
          new Response('{"error":"invalid_client"}', {
            status: 400,
            headers: { 'content-type': 'application/json' },
          }),
      );

      const response = await arrange(upstream)(
        event({ method: 'POST', path: '/docs/oauth2/token', body: 'grant_type=client_credentials' }),
      );

      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'invalid_client' });
    });

    it('answers 502 when the token endpoint cannot be reached', async () => {
      const upstream = vi.fn<typeof fetch>(async () => {
        throw new TypeError('fetch failed');
      });

      const response = await arrange(upstream)(
        event({ method: 'POST', path: '/docs/oauth2/token', body: 'grant_type=client_credentials' }),
      );

      expect(response.statusCode).toBe(502);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
    });

    it('refuses bodies larger than a token request without calling the token endpoint', async () => {
      const upstream = vi.fn<typeof fetch>();

      const response = await arrange(upstream)(
        event({ method: 'POST', path: '/docs/oauth2/token', body: `scope=${'x'.repeat(5000)}` }),
      );

      expect(response.statusCode).toBe(413);
      expect(upstream).not.toHaveBeenCalled();
    });
  });

  describe('GET /dashboard', () => {
    it('serves the page below the stage: same-origin policy, hashed asset URLs, tokens through the relay', async () => {
      // Act
      const response = await arrange()(event({ path: '/dashboard' }));

      // Assert
      expect(response.statusCode).toBe(200);
      expect(response.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': DASHBOARD_CSP,
        'x-content-type-options': 'nosniff',
      });
      expect(DASHBOARD_CSP).toContain("connect-src 'self'");
      expect(DASHBOARD_CSP).toContain("script-src 'self'");
      expect(response.body).toMatch(
        /<script defer src="\/v1\/dashboard\/assets\/dashboard\.js\?v=[0-9a-f]{12}">/,
      );
      expect(response.body).toMatch(
        /<link rel="stylesheet" href="\/v1\/dashboard\/assets\/dashboard\.css\?v=[0-9a-f]{12}">/,
      );
      expect(configOf(response.body)).toEqual({ apiBase: '/v1', tokenUrl: '/v1/docs/oauth2/token' });
      expect(response.body).not.toMatch(/https?:\/\//);
      expect(response.body).not.toMatch(/client_?secret/i);
    });

    it('changes the asset URLs when the build changes', async () => {
      const before = await arrange()(event({ path: '/dashboard' }));
      const after = await arrange(undefined, async () => ({ ...DASHBOARD_FILES, 'dashboard.js': 'void 0;' }))(
        event({ path: '/dashboard' }),
      );

      const scriptUrl = (html: string) => /src="([^"]+)"/.exec(html)?.[1];
      expect(scriptUrl(after.body)).not.toBe(scriptUrl(before.body));
      expect(/href="([^"]+\.css[^"]*)"/.exec(after.body)?.[1]).toBe(
        /href="([^"]+\.css[^"]*)"/.exec(before.body)?.[1],
      );
    });

    it.each([
      ['dashboard.js', 'text/javascript; charset=utf-8'],
      ['dashboard.css', 'text/css; charset=utf-8'],
    ] as const)('serves %s as %s', async (file, contentType) => {
      const response = await arrange()(event({ path: `/dashboard/assets/${file}` }));

      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe(contentType);
      expect(response.body).toBe(DASHBOARD_FILES[file]);
    });

    it.each(['/dashboard/assets/main.ts', '/dashboard/assets/../index.js', '/dashboard/other'])(
      'answers %s with 404',
      async (path) => {
        const response = await arrange()(event({ path }));

        expect(response.statusCode).toBe(404);
        expect(response.headers?.['content-type']).toBe('application/problem+json');
      },
    );

    it('answers 500 problem details when the built files cannot be read, and tries again on the next request', async () => {
      // Arrange
      const files = vi
        .fn<() => Promise<DashboardFiles>>()
        .mockRejectedValueOnce(new Error('ENOENT: dashboard.js'))
        .mockResolvedValue(DASHBOARD_FILES);
      const handler = arrange(undefined, files);

      // Act
      const failed = await handler(event({ path: '/dashboard' }));
      const recovered = await handler(event({ path: '/dashboard' }));

      // Assert
      expect(failed.statusCode).toBe(500);
      expect(JSON.parse(failed.body)).toMatchObject({ status: 500, requestId: 'req-1' });
      expect(failed.body).not.toContain('ENOENT');
      expect(recovered.statusCode).toBe(200);
      expect(files).toHaveBeenCalledTimes(2);
    });
  });

  it('answers other methods with 405', async () => {
    const response = await arrange()(event({ method: 'POST', path: '/docs' }));

    expect(response.statusCode).toBe(405);
  });
});

describe('Function: docs (Lambda entry with logger context)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });

  it('logs with the Lambda context and the request id, as the API handlers do', async () => {
    // Arrange: a relay whose token endpoint is down logs a warning.
    logger.setLogLevel('WARN');
    const lines: string[] = [];
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
    }
    const handler = createDocsLambda({
      tokenUrl: TOKEN_URL,
      assetDir: SWAGGER_UI_DIST,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const context = {
      functionName: 'docs-fn',
      functionVersion: '7',
      awsRequestId: 'lambda-req-9',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:docs-fn',
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => 10_000,
    } as Context;

    // Act
    const response = await handler(
      event({ method: 'POST', path: '/docs/oauth2/token', body: 'grant_type=client_credentials' }),
      context,
    );

    // Assert
    expect(response.statusCode).toBe(502);
    const entries = lines
      .flatMap((line) => line.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'WARN',
      message: 'The token endpoint did not answer',
      requestId: 'req-1',
      function_request_id: 'lambda-req-9',
      function_name: 'docs-fn',
      cold_start: expect.any(Boolean),
    });
    expect(JSON.stringify(entries)).not.toContain('grant_type');
  });
});
