import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { routes } from '../routes';
import { requestLogging } from '../shared/http/middlewares';
import { problemResponse } from '../shared/http/problem';
import { buildOpenApi, toYaml } from '../shared/openapi';
import { logger } from '../shared/powertools';
import { type DashboardFiles, readDashboardFiles } from './dashboard';
import { createDocsSite, type DocsRequest, TOKEN_RELAY_PATH } from './site';

export interface DocsHandlerOptions {
  /** This deployment's OAuth2 token endpoint (the Cognito domain's `/oauth2/token`). */
  tokenUrl: string;
  /** Directory with the swagger-ui-dist files: bundled next to the handler in AWS. */
  assetDir: string;
  /** The built dashboard: a directory (bundled next to the handler in AWS) or the files; none when absent. */
  dashboard?: string | (() => Promise<DashboardFiles>);
  /** API Gateway serves HTTPS only; `http` is for tests that serve the handler themselves. */
  scheme?: 'https' | 'http';
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** A token request is a few hundred bytes (grant type, scopes, at most a client id and secret). */
const MAX_RELAY_BODY_BYTES = 4096;
const RELAY_TIMEOUT_MS = 5000;
/** Distinct server URLs whose YAML is kept (the API's hosts: execute-api and custom domains). */
const MAX_CACHED_DOCUMENTS = 8;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The `docs` Lambda handler: `createDocsHandler` with the Powertools logger context the API handlers have
 * (the Lambda context, and the API Gateway request id on every line).
 */
export function createDocsLambda(options: DocsHandlerOptions) {
  const docs = createDocsHandler(options);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ timeoutEarlyInMillis: 0 })
    .use(requestLogging())
    .handler((event) => docs(event));
}

/**
 * The `docs` function behind the unauthenticated `GET /docs`, `GET /docs/{proxy+}`, `GET /openapi.yaml`,
 * `GET /dashboard`, `GET /dashboard/{proxy+}` and `POST /docs/oauth2/token` methods: the console and the
 * dashboard of `./site`, the OpenAPI document generated from the route table at cold start (with this
 * deployment's token URL, and the server URL the request came to), and the token relay both pages use. It
 * reaches nothing but the token endpoint.
 */
export function createDocsHandler(options: DocsHandlerOptions) {
  const fetchImpl = options.fetch ?? fetch;
  const scheme = options.scheme ?? 'https';
  const document = buildOpenApi(routes, { tokenUrl: options.tokenUrl });
  const documents = new Map<string, string>();
  const openApiYaml = ({ origin, basePath }: DocsRequest) => {
    const serverUrl = origin ? `${origin}${basePath}` : basePath || '/';
    let yaml = documents.get(serverUrl);
    if (yaml === undefined) {
      if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear();
      yaml = toYaml({ ...document, servers: [{ url: serverUrl }] });
      documents.set(serverUrl, yaml);
    }
    return yaml;
  };
  const { dashboard } = options;
  const site = createDocsSite({
    assetDir: options.assetDir,
    openApiYaml,
    relayTokenUrl: options.tokenUrl,
    ...(dashboard && {
      dashboard: {
        files: typeof dashboard === 'string' ? async () => readDashboardFiles(dashboard) : dashboard,
        tokenPath: TOKEN_RELAY_PATH,
      },
    }),
  });

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext.requestId;
    if (event.httpMethod === 'POST' && event.path === TOKEN_RELAY_PATH) return relay(event);
    if (event.httpMethod !== 'GET') {
      return problemResponse(
        {
          status: 405,
          type: 'method-not-allowed',
          title: 'Method Not Allowed',
          detail: `${event.httpMethod} is not allowed on ${event.path}`,
          headers: { allow: 'GET' },
        },
        requestId,
      );
    }
    const host = event.requestContext.domainName ?? headerOf(event, 'host');
    try {
      const page = await site({
        pathname: event.path,
        basePath: basePathOf(event),
        origin: host && HOST.test(host) ? `${scheme}://${host}` : undefined,
      });
      return (
        page ??
        problemResponse(
          { status: 404, type: 'not-found', title: 'Not Found', detail: `No page ${event.path}` },
          requestId,
        )
      );
    } catch (error) {
      logger.error('Page failed', { path: event.path, error });
      return problemResponse({ status: 500, type: 'internal', title: 'Internal Server Error' }, requestId);
    }
  };

  /** Forwards the form and the client's Basic credentials to the token endpoint; logs neither. */
  async function relay(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const requestId = event.requestContext.requestId;
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    if (Buffer.byteLength(body) > MAX_RELAY_BODY_BYTES) {
      return problemResponse(
        {
          status: 413,
          type: 'content-too-large',
          title: 'Content Too Large',
          detail: `A token request has at most ${MAX_RELAY_BODY_BYTES} bytes`,
        },
        requestId,
      );
    }
    const authorization = headerOf(event, 'authorization');
    try {
      const response = await fetchImpl(options.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(authorization && { authorization }),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
      });
      return {
        statusCode: response.status,
        headers: {
          'content-type': response.headers.get('content-type') ?? 'application/json',
          'cache-control': 'no-store',
        },
        body: await response.text(),
      };
    } catch (error) {
      logger.warn('The token endpoint did not answer', { error });
      return problemResponse(
        {
          status: 502,
          type: 'bad-gateway',
          title: 'Bad Gateway',
          detail: 'The token endpoint did not answer',
        },
        requestId,
      );
    }
  }
}

function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}

/**
 * Where the API is mounted: `requestContext.path` is the path as requested (`/v1/docs` on the execute-api
 * host, with a custom domain's base path mapping), `path` the one below it (`/docs`).
 */
function basePathOf(event: APIGatewayProxyEvent): string {
  const full = event.requestContext.path;
  if (full?.endsWith(event.path)) return full.slice(0, full.length - event.path.length);
  return event.requestContext.stage ? `/${event.requestContext.stage}` : '';
}
