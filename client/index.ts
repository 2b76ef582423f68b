/**
 * The typed client of the Car Sales API: types generated from openapi.yaml (`client/schema.ts`, by
 * openapi-typescript) and openapi-fetch, with an OAuth2 client-credentials token. Tests, benchmarks, the seed
 * script and partners all use this one module.
 *
 *   const api = await connect('http://127.0.0.1:3000', { clientId: 'demo-writer', clientSecret: 'demo-writer-secret' });
 *   const { data, error, response } = await api.POST('/brands', { body: { name: 'Volvo' } });
 *
 * `data` is typed by the operation's success response, `error` by its error responses (problem+json). For
 * requests a typed client cannot send (malformed JSON, a wrong content type, no or a broken token), `sendRaw`
 * is the escape hatch: exact bytes out, status, headers and parsed body back.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';

/** The API's schemas by name, e.g. `Schemas['Brand']`. */
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

export interface Credentials {
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for; default: every scope the client is allowed. */
  scope?: string;
}

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface AccessToken {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

/** The token endpoint refused, or answered something that is not a token. */
export class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`POST /oauth2/token answered ${status}: ${body.slice(0, 500)}`);
    this.name = 'TokenError';
  }
}

/** What `fetch` to use; tests and scripts may wrap it (retries, timing). */
export interface FetchOptions {
  fetch?: (input: Request) => Promise<Response>;
}

/**
 * `POST /oauth2/token` with the client credentials grant, the client authenticated by HTTP Basic. Returns the
 * raw response: use `fetchToken` unless the token endpoint itself is under test.
 */
export function requestToken(
  baseUrl: string,
  credentials: Credentials & { grantType?: string },
  options: FetchOptions = {},
): Promise<Response> {
  const basic = Buffer.from(
    `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
  ).toString('base64');
  const form = new URLSearchParams({ grant_type: credentials.grantType ?? 'client_credentials' });
  if (credentials.scope !== undefined) form.set('scope', credentials.scope);
  const request = new Request(new URL('/oauth2/token', baseUrl), {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return (options.fetch ?? fetch)(request);
}

/** An access token for `credentials`; throws `TokenError` when refused. */
export async function fetchToken(
  baseUrl: string,
  credentials: Credentials,
  options: FetchOptions = {},
): Promise<AccessToken> {
  const response = await requestToken(baseUrl, credentials, options);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TokenError(response.status, text);
  }
  if (!response.ok || !isAccessToken(body)) throw new TokenError(response.status, text);
  return body;
}

function isAccessToken(body: unknown): body is AccessToken {
  const token = body as Partial<AccessToken> | null;
  return typeof token?.access_token === 'string' && typeof token.expires_in === 'number';
}

/** Where the client gets its bearer token: a fixed token, or a function that returns a current one. */
export type TokenSource = string | (() => Promise<string>);

/**
 * A typed client for the API at `baseUrl` sending `token` as `Authorization: Bearer` (no token: unauthenticated
 * requests, to see the 401s). `options` are openapi-fetch's (headers, a custom fetch…).
 */
export function createApiClient(
  baseUrl: string,
  token?: TokenSource,
  options: ClientOptions = {},
): ApiClient {
  const client = createClient<paths>({ ...options, baseUrl: baseUrl.replace(/\/+$/, '') });
  if (token !== undefined) client.use(bearer(token));
  return client;
}

/**
 * Gets a client-credentials token and returns a typed client that sends it, fetching a new token shortly before
 * the current one expires.
 */
export async function connect(
  baseUrl: string,
  credentials: Credentials,
  options: ClientOptions = {},
): Promise<ApiClient> {
  const tokens = tokenCache(baseUrl, credentials, options);
  await tokens(); // fail now, not on the first request, when the credentials are wrong
  return createApiClient(baseUrl, tokens, options);
}

/** A token source that asks the token endpoint again a minute before `expires_in` runs out. */
export function tokenCache(baseUrl: string, credentials: Credentials, options: FetchOptions = {}) {
  let current: Promise<{ token: string; renewAt: number }> | undefined;
  const renew = async () => {
    const token = await fetchToken(baseUrl, credentials, options);
    return { token: token.access_token, renewAt: Date.now() + Math.max(0, token.expires_in - 60) * 1000 };
  };
  return async (): Promise<string> => {
    const cached = current && (await current.catch(() => undefined));
    if (cached && Date.now() < cached.renewAt) return cached.token;
    current = renew();
    return (await current).token;
  };
}

function bearer(token: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return request; // set per request (e.g. another scope)
      request.headers.set('authorization', `Bearer ${typeof token === 'string' ? token : await token()}`);
      return request;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The escape hatch: requests exactly as given

export interface RawRequest {
  method: string;
  /** Path and query, resolved against the base URL as any HTTP client would (WHATWG URL parsing). */
  path: string;
  /** Sent as is: no default content type, no token unless `token` or an `authorization` header is given. */
  headers?: Record<string, string>;
  /** Sent as UTF-8 bytes. */
  body?: string;
  /** Sent as `Authorization: Bearer <token>` unless `headers` has an authorization of its own. */
  token?: string;
  signal?: AbortSignal;
}

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON for JSON media types (`application/json`, any `+json`), `undefined` when empty, else the text. */
  body: T;
  /** The body exactly as received. */
  text: string;
}

/**
 * Sends one request as given and reads the whole response. A JSON content type with a body that is not JSON
 * throws (the API must never send one). The type parameter only casts the body: check it before trusting it.
 */
export async function sendRaw<T = unknown>(
  baseUrl: string,
  request: RawRequest,
  options: FetchOptions = {},
): Promise<RawResponse<T>> {
  const headers = new Headers(request.headers);
  if (request.token !== undefined && !headers.has('authorization'))
    headers.set('authorization', `Bearer ${request.token}`);
  const response = await (options.fetch ?? fetch)(
    new Request(new URL(request.path, baseUrl), {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'),
      signal: request.signal,
    }),
  );
  const text = await response.text();
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  let body: unknown = text === '' ? undefined : text;
  if (isJson && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(
        `${request.method} ${request.path}: ${response.status} with malformed JSON: ${text.slice(0, 200)}`,
      );
    }
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}
