/**
 * Forged and broken bearer tokens for the auth matrix. Most are signed with the local authority's own key, so the
 * only thing wrong with them is the one claim or header under test.
 */
import { createHmac, createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { LocalStack } from '../../local/stack';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export function authorityKid(stack: LocalStack): string {
  const kid = stack.auth.jwks.keys[0]?.kid;
  if (!kid) throw new Error('The local JWKS has no kid');
  return kid;
}

/** Claims exactly like a real access token of `clientId` (see local/auth.ts), before any tampering. */
export function accessClaims(stack: LocalStack, clientId: string, scope: string): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    client_id: clientId,
    token_use: 'access',
    scope,
    auth_time: now,
    version: 2,
    jti: randomUUID(),
    sub: clientId,
    iss: stack.url,
    iat: now,
    exp: now + 3600,
  };
}

export async function signRs256(
  claims: JWTPayload,
  key: SigningKey,
  kid: string,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, ...header }).sign(key);
}

/** A token signed by the stack's own key with `claims` (any claim may be wrong on purpose). */
export function forge(stack: LocalStack, claims: JWTPayload): Promise<string> {
  return stack.auth.sign(claims);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface BadToken {
  name: string;
  /** The whole Authorization header value, or undefined for none at all. */
  authorization: string | undefined;
  status: 401 | 403;
}

/**
 * Every way a bearer token must be refused for a route needing `scope`: 401 for anything that is not a valid
 * access token of a known client, 403 for a valid one without the scope. `valid` is a real token with the scope.
 */
export async function badTokens(
  stack: LocalStack,
  scope: 'read' | 'write',
  valid: string,
  lackingScope: string,
): Promise<BadToken[]> {
  const writeScopes = 'sales-api/read sales-api/write';
  const claims = accessClaims(stack, 'demo-writer', writeScopes);
  const [header = '', payload = ''] = valid.split('.');
  const otherKey = (await generateKeyPair('RS256')).privateKey;
  const publicPem = createPublicKey({ key: stack.auth.jwks.keys[0] as JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const hs256Header = b64({ alg: 'HS256', typ: 'JWT', kid: authorityKid(stack) });
  const hs256Body = b64(claims);
  const hs256 = `${hs256Header}.${hs256Body}.${createHmac('sha256', publicPem).update(`${hs256Header}.${hs256Body}`).digest('base64url')}`;
  const now = Math.floor(Date.now() / 1000);
  const upgraded = b64({
    ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    scope: 'sales-api/admin',
  });
  const signature = valid.split('.')[2] ?? '';

  const unauthorized: [string, string | undefined][] = [
    ['no Authorization header', undefined],
    ['empty Authorization header', ''],
    ['a bare "Bearer"', 'Bearer'],
    ['garbage', 'Bearer garbage'],
    ['three garbage segments', 'Bearer a.b.c'],
    ['random base64url', `Bearer ${Buffer.from(randomUUID().repeat(4)).toString('base64url')}`],
    ['a token under the Basic scheme', `Basic ${valid}`],
    ['a token with two spaces', `Bearer  ${valid}`],
    ['a token with a trailing segment', `Bearer ${valid}.extra`],
    ['a token with a truncated signature', `Bearer ${valid.slice(0, -8)}`],
    ['alg: none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
    ['alg: None with the real signature', `Bearer ${b64({ alg: 'None' })}.${b64(claims)}.${signature}`],
    ['alg: HS256 keyed with the public key', `Bearer ${hs256}`],
    [
      'a wrong signature (another RSA key, same kid)',
      `Bearer ${await signRs256(claims, otherKey, authorityKid(stack))}`,
    ],
    ['a tampered payload (scope raised to admin)', `Bearer ${header}.${upgraded}.${signature}`],
    ['an unknown kid', `Bearer ${await stack.auth.sign(claims, randomUUID())}`],
    ['an expired token', `Bearer ${await forge(stack, { ...claims, iat: now - 7200, exp: now - 3600 })}`],
    ['a token not valid yet', `Bearer ${await forge(stack, { ...claims, nbf: now + 3600 })}`],
    [
      'a wrong issuer',
      `Bearer ${await forge(stack, { ...claims, iss: 'https://cognito-idp.example.com/other' })}`,
    ],
    ['no issuer', `Bearer ${await forge(stack, { ...claims, iss: undefined })}`],
    ['an ID token', `Bearer ${await forge(stack, { ...claims, token_use: 'id', aud: 'demo-writer' })}`],
    ['no token_use', `Bearer ${await forge(stack, { ...claims, token_use: undefined })}`],
    [
      'an unknown client',
      `Bearer ${await forge(stack, { ...claims, client_id: 'intruder', sub: 'intruder' })}`,
    ],
    ['no client_id', `Bearer ${await forge(stack, { ...claims, client_id: undefined })}`],
  ];
  const forbidden: [string, string][] = [
    [`a real token without the ${scope} scope`, `Bearer ${lackingScope}`],
    ['a token with no scope at all', `Bearer ${await forge(stack, { ...claims, scope: '' })}`],
    [
      'a token with a foreign scope',
      `Bearer ${await forge(stack, { ...claims, scope: `other-api/${scope}` })}`,
    ],
    [
      'a token whose scope only looks alike',
      `Bearer ${await forge(stack, { ...claims, scope: `sales-api/${scope}x` })}`,
    ],
    [
      'a token with the scope in the wrong claim',
      `Bearer ${await forge(stack, { ...claims, scope: undefined, scp: [`sales-api/${scope}`] })}`,
    ],
  ];
  return [
    ...unauthorized.map(([name, authorization]) => ({ name, authorization, status: 401 as const })),
    ...forbidden.map(([name, authorization]) => ({ name, authorization, status: 403 as const })),
  ];
}
