import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DASHBOARD_ASSET_PREFIX,
  DASHBOARD_ASSETS,
  DASHBOARD_CSP,
  DASHBOARD_PATH,
  type DashboardFiles,
  dashboardHtml,
  isDashboardAsset,
  scriptJson,
} from './dashboard';

/**
 * The API console and the partner dashboard (`./dashboard`), shared by the local server (`local/docs.ts`) and the `docs` Lambda function: Swagger UI
 * (from swagger-ui-dist, no CDN) at `/docs`, its assets under `/docs/assets/`, the OpenAPI document at
 * `/openapi.yaml`. Paths are relative to the API's base path: `` locally, the stage (`/v1`) in AWS.
 */
export const DOCS_PATH = '/docs';
export const OPENAPI_PATH = '/openapi.yaml';
export const ASSET_PREFIX = `${DOCS_PATH}/assets/`;
/**
 * Same-origin relay to the OAuth2 token endpoint, for the deployed console: Swagger UI's token request is not
 * a CORS-safelisted request (it sends `X-Requested-With`, and client credentials by HTTP Basic), so the
 * browser preflights it, and Cognito's `/oauth2/token` is not documented to answer preflights.
 */
export const TOKEN_RELAY_PATH = `${DOCS_PATH}/oauth2/token`;

/** The swagger-ui-dist files served as assets, by content type. Text only: no binary media types needed. */
export const SWAGGER_UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
/** Inlined into the page as `data:` URIs (PNG through API Gateway would need binary media types). */
const SWAGGER_UI_ICONS = { '32x32': 'favicon-32x32.png', '16x16': 'favicon-16x16.png' } as const;
/** Everything the console reads from swagger-ui-dist; the Lambda bundle ships these (and the licence). */
export const SWAGGER_UI_FILES: readonly string[] = [
  ...Object.keys(SWAGGER_UI_ASSETS),
  ...Object.values(SWAGGER_UI_ICONS),
  'LICENSE',
  'NOTICE',
];

/** A response of the site; the local gateway and the Lambda function send it as it is. */
export interface DocsPage {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface DocsRequest {
  /** Path below the base path, e.g. `/docs` or `/docs/assets/swagger-ui.css`. */
  pathname: string;
  /** Where the API is mounted on its host: `` locally, `/v1` (the stage) on API Gateway. */
  basePath: string;
  /** `https://host` the request came to, when known. */
  origin?: string;
}

/** What the Authorize dialog is pre-filled with. Locally the demo client; nothing in AWS. */
export interface OAuthPrefill {
  clientId: string;
  clientSecret?: string;
  scopes?: string[];
}

export interface DocsSiteOptions {
  /** Directory with the swagger-ui-dist files (`SWAGGER_UI_FILES`). */
  assetDir: string;
  /** The OpenAPI document for a request (server URL relative to it). */
  openApiYaml: (request: DocsRequest) => string;
  prefill?: OAuthPrefill;
  /**
   * The document's token URL, when the console must fetch tokens through `TOKEN_RELAY_PATH` instead (an
   * authorization server on another origin that does not answer CORS preflights). The document keeps the real
   * URL, which is what every other client calls.
   */
  relayTokenUrl?: string;
  /** The partner dashboard at `DASHBOARD_PATH`; absent, the site has no dashboard. */
  dashboard?: DashboardSiteOptions;
}

export interface DashboardSiteOptions {
  /** The built script and style: read from the package in AWS, bundled on first use locally. */
  files: () => Promise<DashboardFiles>;
  /**
   * Where the dashboard asks for tokens, below the base path: the console's relay in AWS (the same reasons
   * apply), the gateway's own `/oauth2/token` locally.
   */
  tokenPath: string;
}

const SAFE_BASE_PATH = /^(\/[A-Za-z0-9._~-]+)*$/;
const NO_SNIFF = { 'x-content-type-options': 'nosniff' };

/** The site's pages: a function from a request to its page, undefined when the site has no such path. */
export function createDocsSite(
  options: DocsSiteOptions,
): (request: DocsRequest) => Promise<DocsPage | undefined> {
  const assets = new Map<string, string>();
  const icons = Object.fromEntries(
    Object.entries(SWAGGER_UI_ICONS).map(([size, file]) => [
      size,
      `data:image/png;base64,${readFileSync(join(options.assetDir, file)).toString('base64')}`,
    ]),
  );

  const dashboard = options.dashboard;
  let dashboardFiles: Promise<DashboardFiles> | undefined;
  const filesOf = (site: DashboardSiteOptions) => {
    // A failed load is not kept: the next request tries again.
    dashboardFiles ??= site.files().catch((error: unknown) => {
      dashboardFiles = undefined;
      throw error;
    });
    return dashboardFiles;
  };

  return async (request) => {
    const basePath = SAFE_BASE_PATH.test(request.basePath) ? request.basePath : '';
    const { pathname } = request;
    if (dashboard && (pathname === DASHBOARD_PATH || pathname === `${DASHBOARD_PATH}/`)) {
      const config = {
        apiBase: basePath,
        tokenUrl: `${basePath}${dashboard.tokenPath}`,
        ...(options.prefill && {
          prefill: { clientId: options.prefill.clientId, clientSecret: options.prefill.clientSecret },
        }),
      };
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          'content-security-policy': DASHBOARD_CSP,
          'referrer-policy': 'no-referrer',
          ...NO_SNIFF,
        },
        body: dashboardHtml(basePath, await filesOf(dashboard), config),
      };
    }
    if (dashboard && pathname.startsWith(DASHBOARD_ASSET_PREFIX)) {
      const name = pathname.slice(DASHBOARD_ASSET_PREFIX.length);
      if (!isDashboardAsset(name)) return undefined;
      return {
        statusCode: 200,
        headers: {
          'content-type': DASHBOARD_ASSETS[name],
          // The page links each asset with its content hash (`?v=`), so a day of caching is safe.
          'cache-control': 'public, max-age=86400',
          ...NO_SNIFF,
        },
        body: (await filesOf(dashboard))[name],
      };
    }
    if (pathname === DOCS_PATH || pathname === `${DOCS_PATH}/`) {
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...NO_SNIFF },
        body: consoleHtml(basePath, icons, options),
      };
    }
    if (pathname === OPENAPI_PATH) {
      return {
        statusCode: 200,
        headers: {
          'content-type': 'application/yaml; charset=utf-8',
          'cache-control': 'no-cache',
          ...NO_SNIFF,
        },
        body: options.openApiYaml({ ...request, basePath }),
      };
    }
    if (pathname.startsWith(ASSET_PREFIX)) {
      const name = pathname.slice(ASSET_PREFIX.length);
      const contentType = Object.hasOwn(SWAGGER_UI_ASSETS, name) ? SWAGGER_UI_ASSETS[name] : undefined;
      if (!contentType) return undefined;
      let body = assets.get(name);
      if (body === undefined) {
        body = readFileSync(join(options.assetDir, name), 'utf8');
        assets.set(name, body);
      }
      return {
        statusCode: 200,
        headers: { 'content-type': contentType, 'cache-control': 'public, max-age=3600', ...NO_SNIFF },
        body,
      };
    }
    return undefined;
  };
}

function consoleHtml(basePath: string, icons: Record<string, string>, options: DocsSiteOptions): string {
  const assets = `${basePath}${ASSET_PREFIX}`;
  const config = {
    url: `${basePath}${OPENAPI_PATH}`,
    relay: options.relayTokenUrl
      ? { from: options.relayTokenUrl, to: `${basePath}${TOKEN_RELAY_PATH}` }
      : null,
  };
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Car Sales API</title>
  <link rel="stylesheet" href="${assets}swagger-ui.css">
  <link rel="icon" type="image/png" href="${icons['32x32']}" sizes="32x32">
  <link rel="icon" type="image/png" href="${icons['16x16']}" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${assets}swagger-ui-bundle.js"></script>
  <script>
    const config = ${scriptJson(config)};
    const relayFrom = config.relay && new URL(config.relay.from).href;
    const ui = SwaggerUIBundle({
      url: config.url,
      dom_id: '#swagger-ui',
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
      // Token requests (client credentials) go through the same-origin relay; the document keeps the real URL.
      requestInterceptor: (request) => {
        if (relayFrom) {
          const url = new URL(request.url, location.href);
          if (url.origin + url.pathname === relayFrom) request.url = config.relay.to + url.search;
        }
        return request;
      },
    });
    ${options.prefill ? `ui.initOAuth(${scriptJson(options.prefill)});` : ''}
    window.ui = ui;
  </script>
</body>
</html>
`;
}
