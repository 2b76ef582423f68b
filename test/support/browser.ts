/**
 * Browser-test fixtures: Debian's Chromium through playwright-core, and the deployed topology in miniature
 * (the `docs` Lambda handler and the API behind one origin below the stage, the token endpoint elsewhere).
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build';
import { createDocsHandler } from '../../lambdas/docs/app';
import { proxyEvent } from '../../lambdas/shared/http/proxy-event';
import { DOCS_METHODS } from '../../lib/docs';
import type { LocalStack } from '../../local/stack';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium; fails rather than skips when it is missing (CI installs it: .ci/install-chromium.sh). */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing; run .ci/install-chromium.sh (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Whether API Gateway would send `method path` to the docs function (the methods of lib/docs.ts). */
const isDocsMethod = (method: string, path: string) =>
  DOCS_METHODS.some(
    (m) =>
      m.method === method &&
      (m.path === path ||
        (m.path.endsWith('/{proxy+}') && path.startsWith(m.path.slice(0, -'{proxy+}'.length)))),
  );

/**
 * The deployed topology in miniature: the `docs` Lambda handler (console, dashboard, token relay) and the API
 * behind one origin under the stage (`/v1/...`), and the token endpoint on another origin that answers no CORS
 * preflight, like Cognito's. The local stack stands in for both the API (proxied) and Cognito (its
 * `/oauth2/token`, reached as `localhost`).
 */
export async function startDeployedLike(stack: LocalStack) {
  const stage = 'v1';
  const tokenUrl = `http://localhost:${stack.port}/oauth2/token`;
  const docs = createDocsHandler({
    tokenUrl,
    assetDir: dirname(require.resolve('swagger-ui-dist/package.json')),
    dashboard: buildDashboard,
    scheme: 'http',
  });
  const relayed: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const path = url.pathname.slice(`/${stage}`.length);
    const body = await readBody(request);
    const headers = Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, String(value)] as [string, string]],
    );
    if (!url.pathname.startsWith(`/${stage}/`)) {
      response.writeHead(404).end();
    } else if (isDocsMethod(method, path)) {
      if (method === 'POST') relayed.push(path);
      const result = await docs(
        proxyEvent({
          method,
          resource: path,
          path,
          pathParameters: null,
          headers,
          body: body || null,
          claims: {},
          requestId: 'browser',
          stage,
        }),
      );
      response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    } else {
      const upstream = await fetch(`${stack.url}${path}${url.search}`, {
        method,
        headers: headers.filter(([name]) => name !== 'host' && name !== 'connection'),
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
    url: `http://127.0.0.1:${port}/${stage}`,
    tokenUrl,
    /** Paths of the token requests the docs function relayed. */
    relayed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type DeployedLike = Awaited<ReturnType<typeof startDeployedLike>>;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
