import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { LRUCache } from 'lru-cache';
import * as z from 'zod';
import { Tier } from '../lambdas/partner/tiers';

const AppClientSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.string()),
  /** Its limits (lambdas/partner/tiers.ts); the demo clients are on `standard`. */
  tier: z._default(Tier, 'standard'),
  /** Onboarded partners send it as `x-api-key`, as the deployed usage plans require; demo clients need none. */
  apiKey: z.string().min(1).optional(),
});
const ClientsFile = z.object({ clients: z.array(AppClientSchema) });
export type AppClient = z.input<typeof AppClientSchema>;
type KnownClient = z.output<typeof AppClientSchema>;

export function loadClients(file = join(__dirname, 'clients.json')): KnownClient[] {
  return ClientsFile.parse(JSON.parse(readFileSync(file, 'utf8'))).clients;
}

/** An OAuth2 refusal, answered as RFC 6749 `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
    description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** Why a bearer token was refused: 401 (not a valid access token) or 403 (valid, but lacks the scope). */
export class AccessDeniedError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * A local stand-in for a Cognito user pool's client-credentials flow: issues RS256 access tokens shaped
 * like Cognito's (`token_use: access`, `client_id`, `scope`, no `aud`) and verifies them the way
 * API Gateway's Cognito authorizer does.
 */
export class LocalAuthority {
  private constructor(
    readonly issuer: string,
    private readonly clients: Map<string, KnownClient>,
    private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
    readonly jwks: { keys: JWK[] },
    private readonly keyId: string,
    private readonly tokenSeconds: number,
  ) {
    this.keySet = createLocalJWKSet(jwks);
  }

  private readonly keySet: ReturnType<typeof createLocalJWKSet>;
  private readonly verifiedTokens = new LRUCache<string, JWTPayload>({ max: 10_000 });

  static async create(options: { issuer: string; clients: AppClient[]; tokenSeconds?: number }) {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const keyId = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid: keyId, alg: 'RS256', use: 'sig' };
    const clients = new Map(
      options.clients.map((client) => [client.clientId, AppClientSchema.parse(client)] as const),
    );
    return new LocalAuthority(
      options.issuer,
      clients,
      privateKey,
      { keys: [jwk] },
      keyId,
      options.tokenSeconds ?? 3600,
    );
  }

  /** `POST /oauth2/token`: client credentials by HTTP Basic (or form fields), optional space-separated `scope`. */
  async issueToken(form: URLSearchParams, authorization: string | undefined): Promise<TokenResponse> {
    if (form.get('grant_type') !== 'client_credentials') {
      throw new OAuthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    }
    const client = this.authenticate(form, authorization);
    const requested = form.get('scope')?.split(' ').filter(Boolean);
    const unknown = requested?.filter((scope) => !client.scopes.includes(scope)) ?? [];
    if (unknown.length > 0)
      throw new OAuthError(400, 'invalid_scope', `Not allowed for this client: ${unknown.join(' ')}`);
    const scopes = requested && requested.length > 0 ? requested : client.scopes;
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await this.sign({
      client_id: client.clientId,
      token_use: 'access',
      scope: scopes.join(' '),
      auth_time: now,
      version: 2,
      jti: randomUUID(),
      sub: client.clientId,
      iss: this.issuer,
      iat: now,
      exp: now + this.tokenSeconds,
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokenSeconds };
  }

  /** Adds or replaces an app client (partner onboarding); its next token request works at once. */
  register(client: AppClient): void {
    this.clients.set(client.clientId, AppClientSchema.parse(client));
  }

  /** Removes an app client: no new token, and tokens it holds are refused from now on. */
  unregister(clientId: string): void {
    this.clients.delete(clientId);
  }

  client(clientId: string): KnownClient | undefined {
    return this.clients.get(clientId);
  }

  /**
   * Signs `claims` exactly as given with the authority's key, under `keyId` (default: the published one). The
   * token endpoint uses it; tests use it to forge tokens that differ from a real one in a single claim.
   */
  sign(claims: JWTPayload, keyId = this.keyId): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keyId }).sign(this.privateKey);
  }

  /** Verifies an `Authorization: Bearer` header and checks that the token has one of `acceptedScopes`. */
  async authorize(authorization: string | undefined, acceptedScopes: string[]): Promise<JWTPayload> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AccessDeniedError(401, 'A bearer access token is required');
    const claims = await this.verify(token);
    if (claims.token_use !== 'access') throw new AccessDeniedError(401, 'Only access tokens are accepted');
    if (typeof claims.client_id !== 'string' || !this.clients.has(claims.client_id)) {
      throw new AccessDeniedError(401, 'The token was issued to an unknown client');
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.some((scope) => acceptedScopes.includes(scope))) {
      throw new AccessDeniedError(
        403,
        `This operation needs one of the scopes: ${acceptedScopes.join(', ')}`,
      );
    }
    return claims;
  }

  /**
   * The claims of a token whose signature and claims verify, each token verified once until it expires (an RS256
   * check per request was most of the gateway's own work under load): what a token says cannot change, and the
   * client and scope checks still run on every request.
   */
  private async verify(token: string): Promise<JWTPayload> {
    const cached = this.verifiedTokens.get(token);
    if (cached && (cached.exp ?? 0) * 1000 > Date.now()) return cached;
    try {
      const { payload } = await jwtVerify(token, this.keySet, { issuer: this.issuer, algorithms: ['RS256'] });
      const ttl = (payload.exp ?? 0) * 1000 - Date.now();
      if (ttl > 0) this.verifiedTokens.set(token, payload, { ttl });
      return payload;
    } catch {
      throw new AccessDeniedError(401, 'The access token is invalid or expired');
    }
  }

  private authenticate(form: URLSearchParams, authorization: string | undefined): KnownClient {
    const [id, secret] = basicCredentials(authorization) ?? [
      form.get('client_id'),
      form.get('client_secret'),
    ];
    const client = id ? this.clients.get(id) : undefined;
    if (!client || !secret || !sameText(secret, client.clientSecret)) {
      throw new OAuthError(401, 'invalid_client', 'Unknown client or wrong secret');
    }
    return client;
  }
}

function basicCredentials(header: string | undefined): [string, string] | undefined {
  const encoded = /^Basic (\S+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
