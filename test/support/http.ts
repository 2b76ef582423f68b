/**
 * A tiny HTTP client for end-to-end tests against `startLocalStack()` (or any deployed URL), over real
 * HTTP with the global `fetch`.
 *
 *   const stack = await startLocalStack({ port: 0 });
 *   const admin = api(stack, await tokenFor(stack, 'demo-admin'));
 *   const res = await admin.post<Brand>('/brands', { name: 'Volvo' });
 *   expect(res.status).toBe(201);
 *   expectProblem(await admin.get('/nope'), 404);
 *
 * Bodies are parsed when the response is JSON (`application/json`, `application/problem+json`, any `+json`),
 * `undefined` when empty, else the raw text. The type parameter only casts the body: assert before trusting it.
 * Imports vitest (for `expectProblem`), so use it from test files only.
 */
import type { z } from 'zod';
import { sendRaw } from '../../client';
import type { Problem as ProblemSchema } from '../../lambdas/shared/problem-schema';
import { expectProblem as expectProblemOf } from './api';

/** Anything with the base URL of the API, e.g. the result of `startLocalStack()`. */
export interface Target {
  url: string;
}

/** The demo app clients of `local/clients.json`; each secret is `<client id>-secret`. */
export type DemoClient = 'demo-reader' | 'demo-writer' | 'demo-admin';

/** An RFC 9457 problem body, as the API documents it. */
export type Problem = z.infer<typeof ProblemSchema>;

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON, raw text for other content types, `undefined` when the body is empty. */
  body: T;
  /** The body exactly as received. */
  text: string;
}

export interface RequestOptions {
  /** Sent as JSON, with `content-type: application/json` unless `headers` says otherwise. */
  json?: unknown;
  /** Sent as is (for malformed bodies or other media types); set the content type in `headers`. */
  body?: string;
  headers?: Record<string, string>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Sends one request to `target.url + path` and reads the whole response (through client/'s `sendRaw`). */
export async function send<T = unknown>(
  target: Target,
  method: Method,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  return sendRaw<T>(target.url, { method, path, headers, body });
}

/** A client bound to one API and, optionally, one bearer token (no token: unauthenticated requests). */
export function api(target: Target, token?: string) {
  const withAuth = (headers: Record<string, string> = {}) =>
    token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers };
  const request = <T = unknown>(method: Method, path: string, options: RequestOptions = {}) =>
    send<T>(target, method, path, { ...options, headers: withAuth(options.headers) });
  return {
    request,
    get: <T = unknown>(path: string, headers?: Record<string, string>) =>
      request<T>('GET', path, { headers }),
    post: <T = unknown>(path: string, json: unknown, headers?: Record<string, string>) =>
      request<T>('POST', path, { json, headers }),
    patch: <T = unknown>(path: string, json: unknown, headers?: Record<string, string>) =>
      request<T>('PATCH', path, { json, headers }),
    delete: <T = unknown>(path: string, headers?: Record<string, string>) =>
      request<T>('DELETE', path, { headers }),
  };
}

export type ApiClient = ReturnType<typeof api>;

/**
 * Calls `POST /oauth2/token` (client credentials by HTTP Basic) and returns the raw response, for tests of
 * the token endpoint itself. `secret` defaults to the demo secret `<clientId>-secret`.
 */
export function requestToken(
  target: Target,
  input: { clientId: string; secret?: string; grantType?: string; scope?: string },
): Promise<ApiResponse<Record<string, unknown>>> {
  const basic = Buffer.from(`${input.clientId}:${input.secret ?? `${input.clientId}-secret`}`).toString(
    'base64',
  );
  const form = new URLSearchParams({ grant_type: input.grantType ?? 'client_credentials' });
  if (input.scope !== undefined) form.set('scope', input.scope);
  return send(target, 'POST', '/oauth2/token', {
    body: form.toString(),
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** An access token for a demo client, with all its scopes or only `scope` (space-separated). Throws if refused. */
export async function tokenFor(target: Target, clientId: DemoClient, scope?: string): Promise<string> {
  const response = await requestToken(target, { clientId, scope });
  const token = response.body.access_token;
  if (response.status !== 200 || typeof token !== 'string') {
    throw new Error(`No token for ${clientId}: ${response.status} ${response.text}`);
  }
  return token;
}

/** Asserts an RFC 9457 problem response, as `./api`'s `expectProblem` does for every kind of response. */
export function expectProblem(response: ApiResponse, status: number): Problem {
  return expectProblemOf(response, status) as Problem;
}

/** The `errors[].path` values of a problem (e.g. `body.name`, `path.brandId`, `query.limit`), sorted. */
export function problemPaths(problem: Problem): string[] {
  return (problem.errors ?? []).map((issue) => issue.path).sort();
}
