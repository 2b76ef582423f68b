/**
 * Partner onboarding for operators, against the local server or a deployed stack, through the API itself
 * (admin scope): the same checks and the same records as `POST /partners`.
 *
 *   npm run partner -- create --name "Nordic Dealers" --tier standard [--role writer]
 *   npm run partner -- list
 *   npm run partner -- get <clientId>
 *   npm run partner -- update <clientId> [--name ...] [--tier premium]
 *   npm run partner -- delete <clientId>
 *
 * Where (flags or environment): --url / API_URL (default http://127.0.0.1:3000), --token-url / TOKEN_URL
 * (default <url>/oauth2/token; deployed: the stack output TokenUrl), --client-id / ADMIN_CLIENT_ID and
 * --client-secret / ADMIN_CLIENT_SECRET (default the local demo-admin).
 */
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { type ApiClient, createApiClient, fetchToken } from '../client';
import { PartnerCreate, PartnerUpdate } from '../lambdas/partner/schemas';
import '../lambdas/shared/config'; // English messages for zod/mini, as the API answers

const USAGE =
  'usage: npm run partner -- create|list|get|update|delete [clientId] [--name N] [--tier T] [--role R]';

const TOKEN_PATH = '/oauth2/token';

/** One command's request, its flags already checked. */
type Send = (api: ApiClient) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

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
  const withId = () => {
    if (!clientId) throw new UsageError(`${command} needs a clientId`);
    return { params: { path: { clientId } } };
  };
  // Flags are checked with the API's own schemas: a mistake is a usage error before any network call.
  const flags = <T>(schema: z.ZodMiniType<T>, input: Record<string, unknown>): T => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw new UsageError(`${z.prettifyError(parsed.error)}\n${USAGE}`);
    return parsed.data;
  };
  const { name, tier, role } = values;
  const commands: Record<string, () => Send> = {
    create: () => {
      const body = flags(PartnerCreate, { name, tier, role });
      return (api) => api.POST('/partners', { body });
    },
    list: () => listAll,
    get: () => {
      const partner = withId();
      return (api) => api.GET('/partners/{clientId}', partner);
    },
    update: () => {
      const partner = withId();
      const body = flags(PartnerUpdate, { name, tier });
      return (api) => api.PATCH('/partners/{clientId}', { ...partner, body });
    },
    delete: () => {
      const partner = withId();
      return (api) => api.DELETE('/partners/{clientId}', partner);
    },
  };
  const prepare = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!prepare) throw new UsageError(USAGE);
  const send = prepare();

  const base = values.url.replace(/\/+$/, '');
  const api = createApiClient(base, await adminToken(values['token-url'] ?? `${base}${TOKEN_PATH}`, values));
  const { data, error, response } = await send(api);
  const body: unknown = data ?? error;
  if (body !== undefined && body !== '')
    console.log(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  if (response.ok && command === 'create')
    console.error('Store clientSecret and apiKey now: neither can be read again.');
  if (response.ok && command === 'delete') console.log(`Partner ${clientId} removed.`);
  return response.ok ? 0 : 1;
}

class UsageError extends Error {}

/** GET /partners page after page: the first failing page, or every partner as one list. */
const listAll: Send = async (api) => {
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await api.GET('/partners', { params: { query: { limit: 100, ...(cursor && { cursor }) } } });
    if (!page.data) return page;
    items.push(...page.data.items);
    if (!page.data.nextCursor) return { data: { items }, response: page.response };
    cursor = page.data.nextCursor;
  }
};

/** A token of the admin client from the token endpoint at `tokenUrl` (the local one, or Cognito's). */
async function adminToken(tokenUrl: string, values: { 'client-id': string; 'client-secret': string }) {
  const url = new URL(tokenUrl);
  if (url.pathname !== TOKEN_PATH) throw new UsageError(`--token-url must end in ${TOKEN_PATH}: ${tokenUrl}`);
  const credentials = { clientId: values['client-id'], clientSecret: values['client-secret'] };
  return (await fetchToken(url.origin, credentials)).access_token;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
