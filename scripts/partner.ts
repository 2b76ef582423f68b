/**
 * Partner onboarding for operators, against the local server or a deployed stack, through the API itself
 * (admin scope): the same checks and the same records as `POST /partners`.
 *
 *   npm run partner -- create --name "Nordic Dealers" --tier standard [--role writer]
 *   npm run partner -- list                     (every page, as one list)
 *   npm run partner -- get <clientId>
 *   npm run partner -- update <clientId> [--name ...] [--tier premium]
 *   npm run partner -- delete <clientId>
 *
 * Where (flags or environment): --url / API_URL (default http://127.0.0.1:3000), --token-url / TOKEN_URL
 * (default <url>/oauth2/token; deployed: the stack output TokenUrl), --client-id / ADMIN_CLIENT_ID and
 * --client-secret / ADMIN_CLIENT_SECRET (default the local demo-admin).
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';

const PartnerPage = z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() });

const TokenAnswer = z.object({
  access_token: z.string().optional(),
  error_description: z.string().optional(),
});

const USAGE =
  'usage: npm run partner -- create|list|get|update|delete [clientId] [--name N] [--tier T] [--role R]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.API_URL ?? 'http://127.0.0.1:3000' },
      'token-url': { type: 'string', default: process.env.TOKEN_URL },
      'client-id': { type: 'string', default: process.env.ADMIN_CLIENT_ID ?? 'demo-admin' },
      'client-secret': { type: 'string', default: process.env.ADMIN_CLIENT_SECRET ?? 'demo-admin-secret' },
      name: { type: 'string' },
      tier: { type: 'string' },
      role: { type: 'string' },
    },
  });
  const [command, clientId] = positionals;
  if (!command || !['create', 'list', 'get', 'update', 'delete'].includes(command))
    throw new UsageError(USAGE);
  const base = values.url.replace(/\/+$/, '');
  const token = await adminToken(values['token-url'] ?? `${base}/oauth2/token`, values);
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const fields = (keys: ('name' | 'tier' | 'role')[]) =>
    Object.fromEntries(keys.filter((key) => values[key] !== undefined).map((key) => [key, values[key]]));
  const withId = (path: string) => {
    if (!clientId) throw new UsageError(`${command} needs a clientId`);
    return `${path}/${encodeURIComponent(clientId)}`;
  };

  /** GET /partners page after page; answers the first failing page, or every item as one list. */
  const listAll = async (): Promise<Response> => {
    const items: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await call('GET', `/partners?limit=100${query}`);
      if (!response.ok) return response;
      const page = PartnerPage.parse(await response.json());
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return Response.json({ items });
  };

  const requests: Record<string, () => Promise<Response>> = {
    create: () => call('POST', '/partners', fields(['name', 'tier', 'role'])),
    list: listAll,
    get: () => call('GET', withId('/partners')),
    update: () => call('PATCH', withId('/partners'), fields(['name', 'tier'])),
    delete: () => call('DELETE', withId('/partners')),
  };
  const send = command ? requests[command] : undefined;
  if (!send) throw new UsageError(USAGE);
  const response = await send();
  const text = await response.text();
  if (text) console.log(text.startsWith('{') ? JSON.stringify(JSON.parse(text), null, 2) : text);
  if (response.ok && command === 'create')
    console.error('Store clientSecret and apiKey now: neither can be read again.');
  if (response.ok && command === 'delete') console.log(`Partner ${clientId} removed.`);
  return response.ok ? 0 : 1;
}

class UsageError extends Error {}

async function adminToken(tokenUrl: string, values: { 'client-id': string; 'client-secret': string }) {
  const basic = Buffer.from(`${values['client-id']}:${values['client-secret']}`).toString('base64');
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = TokenAnswer.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !body.success || !body.data.access_token) {
    const reason = body.success ? body.data.error_description : undefined;
    throw new Error(`No admin token from ${tokenUrl}: ${reason ?? response.status}`);
  }
  return body.data.access_token;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
