import type { ProblemBody } from './api-types';

/**
 * A small client of the public API, as a partner's app would write it: OAuth2 client credentials (or a token
 * pasted in), bearer requests, RFC 9457 problems as errors, and `Retry-After` honoured on 429. The token is
 * kept in this object only: never in storage, never in the URL.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody | undefined,
  ) {
    const fields = problem?.errors?.map((error) => `${error.path} ${error.message}`).join('; ');
    super(
      [problem?.detail ?? problem?.title ?? `The API answered ${status}`, fields].filter(Boolean).join(': '),
    );
    this.name = 'ApiError';
  }
}

/** Still 429 after waiting as told: the client's request budget is spent for now. */
export class RateLimitedError extends ApiError {
  constructor(
    problem: ProblemBody | undefined,
    readonly retryAfterSeconds: number,
  ) {
    super(429, problem);
    this.name = 'RateLimitedError';
  }
}

/** No token, an expired one, or one the API refused (401): the reader must sign in again. */
export class SessionExpiredError extends Error {
  constructor(message = 'Your session has expired. Sign in again.') {
    super(message);
    this.name = 'SessionExpiredError';
  }
}

/** The token endpoint refused the credentials, or could not be reached. */
export class SignInError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignInError';
  }
}

export interface ApiClientOptions {
  apiBase: string;
  tokenUrl: string;
  /** Told before each wait on a 429, with the seconds it waits. */
  onRateLimited?: (seconds: number) => void;
}

type Query = Record<string, string | number | undefined>;

/** Retries of one request after 429, and the longest `Retry-After` waited for; beyond either the error shows. */
const MAX_RATE_LIMIT_RETRIES = 2;
const MAX_RETRY_AFTER_SECONDS = 10;
/** A token is treated as expired this long before it is, so no request is sent with a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

export class ApiClient {
  private token: string | undefined;
  private expiresAt: number | undefined;

  constructor(private readonly options: ApiClientOptions) {}

  get signedIn(): boolean {
    return this.token !== undefined && !this.expired();
  }

  /** Client credentials grant, credentials by HTTP Basic, as the console and every partner client sends it. */
  async signIn(clientId: string, clientSecret: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.options.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${base64(`${clientId}:${clientSecret}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      });
    } catch (error) {
      throw new SignInError('The token endpoint could not be reached. Try again.', { cause: error });
    }
    const body: unknown = await response.json().catch(() => undefined);
    const token = field(body, 'access_token');
    if (!response.ok || typeof token !== 'string') {
      const reason = field(body, 'error_description') ?? field(body, 'error') ?? field(body, 'detail');
      throw new SignInError(
        response.status === 400 || response.status === 401
          ? `Sign-in refused: check the client ID and secret${typeof reason === 'string' ? ` (${reason})` : ''}.`
          : `Sign-in failed: the token endpoint answered ${response.status}.`,
      );
    }
    const expiresIn = field(body, 'expires_in');
    this.token = token;
    this.expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
  }

  /** A token obtained elsewhere; its `exp` claim is honoured when it is a JWT. */
  useToken(token: string): void {
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    if (!trimmed) throw new SignInError('Paste an access token first.');
    this.token = trimmed;
    const exp = jwtExpiry(trimmed);
    this.expiresAt = exp === undefined ? undefined : exp * 1000;
  }

  signOut(): void {
    this.token = undefined;
    this.expiresAt = undefined;
  }

  /** GET an API operation; rejects with `ApiError`, `RateLimitedError` or `SessionExpiredError`. */
  async get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const url = `${this.options.apiBase}${path}${search.size > 0 ? `?${search}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      if (!this.token || this.expired()) {
        this.signOut();
        throw new SessionExpiredError();
      }
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
        signal: signal ?? null,
      });
      if (response.ok) return (await response.json()) as T;
      const problem = await problemOf(response);
      if (response.status === 401) {
        this.signOut();
        throw new SessionExpiredError(
          'The API did not accept the token (it expired or is not valid). Sign in again.',
        );
      }
      if (response.status === 429) {
        const seconds = retryAfterSeconds(response.headers.get('retry-after'));
        // A long wait is the reader's call (the panel offers a retry), not a silent stall.
        if (attempt >= MAX_RATE_LIMIT_RETRIES || seconds > MAX_RETRY_AFTER_SECONDS) {
          throw new RateLimitedError(problem, seconds);
        }
        this.options.onRateLimited?.(seconds);
        await wait(seconds * 1000, signal);
        continue;
      }
      throw new ApiError(response.status, problem);
    }
  }

  private expired(): boolean {
    return this.expiresAt !== undefined && Date.now() >= this.expiresAt - EXPIRY_MARGIN_MS;
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

async function problemOf(response: Response): Promise<ProblemBody | undefined> {
  const body: unknown = await response.json().catch(() => undefined);
  const title = field(body, 'title');
  if (typeof title !== 'string') return undefined;
  const detail = field(body, 'detail');
  const errors = field(body, 'errors');
  return {
    type: String(field(body, 'type') ?? 'about:blank'),
    title,
    status: response.status,
    ...(typeof detail === 'string' && { detail }),
    ...(Array.isArray(errors) && {
      errors: errors.map((error) => ({
        path: String(field(error, 'path')),
        message: String(field(error, 'message')),
      })),
    }),
  };
}

function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** UTF-8 safe base64 (btoa alone takes Latin-1 only). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The `exp` of a JWT, undefined for anything else (an opaque token is trusted until the API says 401). */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json: unknown = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')));
    const exp = field(json, 'exp');
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}
