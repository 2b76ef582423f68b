import { dirname } from 'node:path';
import { buildDashboard } from '../dashboard/build';
import { createDocsSite, DOCS_PATH, type OAuthPrefill } from '../lambdas/docs/site';
import { routes } from '../lambdas/routes';
import { buildOpenApi, toYaml } from '../lambdas/shared/openapi';
import type { RawResponse } from './gateway';

export interface DocsOptions {
  /** The document served at `/openapi.yaml`; by default generated from the route table, relative to this server. */
  openApiYaml?: () => string;
  /** The app client Swagger UI's Authorize dialog and the dashboard's sign-in form are pre-filled with. */
  client?: { clientId: string; clientSecret: string; scopes: string[] };
}

const DEMO_READER: OAuthPrefill = {
  clientId: 'demo-reader',
  clientSecret: 'demo-reader-secret',
  scopes: ['sales-api/read'],
};

/** The gateway's token endpoint (local/gateway.ts), on the same origin as the pages. */
const LOCAL_TOKEN_PATH = '/oauth2/token';

/**
 * The gateway's `pages` for API documentation and the dashboard: the site the `docs` Lambda function serves in
 * AWS (lambdas/docs/site.ts), with the assets straight from swagger-ui-dist, the dashboard bundled by esbuild
 * on its first request, the demo reader pre-filled, and a redirect from `/`. The local token endpoint is
 * same-origin, so neither page needs the token relay.
 */
export function docsPages(options: DocsOptions = {}) {
  let generated: string | undefined;
  // Relative server and token URLs resolve against wherever the document is served from.
  const openApiYaml =
    options.openApiYaml ?? (() => (generated ??= toYaml(buildOpenApi(routes, { serverUrl: '/' }))));
  const site = createDocsSite({
    assetDir: dirname(require.resolve('swagger-ui-dist/package.json')),
    openApiYaml: () => openApiYaml(),
    prefill: options.client ?? DEMO_READER,
    dashboard: { files: buildDashboard, tokenPath: LOCAL_TOKEN_PATH },
  });

  return async (pathname: string): Promise<RawResponse | undefined> => {
    if (pathname === '/') return { statusCode: 302, headers: { location: DOCS_PATH }, body: '' };
    return site({ pathname, basePath: '' });
  };
}
