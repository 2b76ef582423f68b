import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildOpenApi, toYaml } from '../scripts/openapi';
import type { Page } from './gateway';

export interface DocsOptions {
  /** The document served at `/openapi.yaml`; by default generated from the route table, relative to this server. */
  openApiYaml?: () => string;
  /** The app client Swagger UI's Authorize dialog is pre-filled with. */
  client?: { clientId: string; clientSecret: string; scopes: string[] };
}

const ASSET_TYPES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};
const ASSET_PREFIX = '/docs/assets/';

const DEMO_READER = {
  clientId: 'demo-reader',
  clientSecret: 'demo-reader-secret',
  scopes: ['sales-api/read'],
};

/**
 * The gateway's `pages` for API documentation: Swagger UI (from swagger-ui-dist, no CDN) at `/docs`, the OpenAPI
 * document at `/openapi.yaml` and a redirect from `/`. Only the listed swagger-ui-dist files are served.
 */
export function docsPages(options: DocsOptions = {}) {
  const assetDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, Buffer>();
  let generated: string | undefined;
  // Relative server and token URLs resolve against wherever the document is served from.
  const openApiYaml = options.openApiYaml ?? (() => (generated ??= toYaml(buildOpenApi({ serverUrl: '/' }))));
  const html = docsHtml(options.client ?? DEMO_READER);

  return async (pathname: string): Promise<Page | undefined> => {
    if (pathname === '/') return { statusCode: 302, headers: { location: '/docs' }, body: '' };
    if (pathname === '/docs' || pathname === '/docs/') {
      return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
    }
    if (pathname === '/openapi.yaml') {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-cache' },
        body: openApiYaml(),
      };
    }
    if (pathname.startsWith(ASSET_PREFIX)) {
      const name = pathname.slice(ASSET_PREFIX.length);
      const contentType = Object.hasOwn(ASSET_TYPES, name) ? ASSET_TYPES[name] : undefined;
      if (!contentType) return undefined;
      let body = assets.get(name);
      if (!body) {
        body = readFileSync(join(assetDir, name));
        assets.set(name, body);
      }
      return {
        statusCode: 200,
        headers: { 'content-type': contentType, 'cache-control': 'max-age=3600' },
        body,
      };
    }
    return undefined;
  };
}

function docsHtml(client: NonNullable<DocsOptions['client']>): string {
  // JSON.stringify is safe inside <script> only once `<` is escaped.
  const oauth = JSON.stringify(client).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Car Sales API</title>
  <link rel="stylesheet" href="${ASSET_PREFIX}swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSET_PREFIX}favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="${ASSET_PREFIX}favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSET_PREFIX}swagger-ui-bundle.js"></script>
  <script>
    const ui = SwaggerUIBundle({
      url: '/openapi.yaml',
      dom_id: '#swagger-ui',
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
    });
    ui.initOAuth(${oauth});
    window.ui = ui;
  </script>
</body>
</html>
`;
}
