import {
  type APIGatewayClient,
  type ApiKey,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
  TagResourceCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import {
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PartnerDirectory, PartnerRecord, PartnerRoleName } from './partners';
import { TIER_NAMES, type TierName } from './tiers';

export interface AwsPartnerDirectoryConfig {
  userPoolId: string;
  /** Usage plan id of each tier (lib/partner-plans.ts), looked up once (see `usagePlansNamed`). */
  usagePlans: () => Promise<Record<TierName, string>>;
  /** Access-token lifetime of new app clients: how long a removed partner's last token lives on. */
  accessTokenMinutes: number;
}

const TAG = { partner: 'sales-api:partner', tier: 'sales-api:tier', role: 'sales-api:role' } as const;

/**
 * Partners in AWS: a Cognito app client (client credentials, the role's scopes) for the token, and an API
 * Gateway API key named after the client id in its tier's usage plan for the limits. The key also holds the
 * partner's record (description: name; tags: tier, role), so no table is needed.
 */
export class AwsPartnerDirectory implements PartnerDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly apigateway: APIGatewayClient,
    private readonly config: AwsPartnerDirectoryConfig,
  ) {}

  async create(input: { name: string; tier: TierName; role: PartnerRoleName; scopes: string[] }) {
    const { UserPoolClient: client } = await this.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: this.config.userPoolId,
        ClientName: input.name,
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: input.scopes,
        AccessTokenValidity: this.config.accessTokenMinutes,
        TokenValidityUnits: { AccessToken: 'minutes' },
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
      }),
    );
    if (!client?.ClientId || !client.ClientSecret) throw new Error('Cognito returned no app client');
    try {
      const key = await this.apigateway.send(
        new CreateApiKeyCommand({
          name: client.ClientId,
          description: input.name,
          enabled: true,
          tags: { [TAG.partner]: 'true', [TAG.tier]: input.tier, [TAG.role]: input.role },
        }),
      );
      if (!key.id || !key.value) throw new Error('API Gateway returned no API key');
      await this.apigateway.send(
        new CreateUsagePlanKeyCommand({
          usagePlanId: (await this.config.usagePlans())[input.tier],
          keyId: key.id,
          keyType: 'API_KEY',
        }),
      );
      return { ...toRecord(key), clientSecret: client.ClientSecret, apiKey: key.value };
    } catch (error) {
      // No half partner: an app client without its key could take tokens the gateway would refuse.
      await this.cognito.send(
        new DeleteUserPoolClientCommand({ UserPoolId: this.config.userPoolId, ClientId: client.ClientId }),
      );
      throw error;
    }
  }

  async list() {
    const records: PartnerRecord[] = [];
    let position: string | undefined;
    do {
      const page = await this.apigateway.send(new GetApiKeysCommand({ limit: 500, position }));
      for (const key of page.items ?? []) if (key.tags?.[TAG.partner] === 'true') records.push(toRecord(key));
      position = page.position;
    } while (position);
    return records;
  }

  async get(clientId: string) {
    const key = await this.keyOf(clientId);
    return key && toRecord(key);
  }

  async update(clientId: string, patch: { name?: string; tier?: TierName }) {
    const key = await this.keyOf(clientId);
    if (!key?.id) return undefined;
    const current = toRecord(key);
    if (patch.tier && patch.tier !== current.tier) {
      await this.apigateway.send(
        new CreateUsagePlanKeyCommand({
          usagePlanId: (await this.config.usagePlans())[patch.tier],
          keyId: key.id,
          keyType: 'API_KEY',
        }),
      );
      await this.apigateway.send(
        new DeleteUsagePlanKeyCommand({
          usagePlanId: (await this.config.usagePlans())[current.tier],
          keyId: key.id,
        }),
      );
      const region = await this.apigateway.config.region();
      await this.apigateway.send(
        new TagResourceCommand({
          resourceArn: `arn:aws:apigateway:${region}::/apikeys/${key.id}`,
          tags: { [TAG.tier]: patch.tier },
        }),
      );
    }
    if (patch.name && patch.name !== current.name) {
      await this.apigateway.send(
        new UpdateApiKeyCommand({
          apiKey: key.id,
          patchOperations: [{ op: 'replace', path: '/description', value: patch.name }],
        }),
      );
    }
    return { ...current, ...patch };
  }

  async remove(clientId: string) {
    const key = await this.keyOf(clientId);
    if (!key?.id) return false;
    // The key first: from this moment the gateway refuses the partner, whatever tokens it still holds.
    await this.apigateway.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    await this.cognito.send(
      new DeleteUserPoolClientCommand({ UserPoolId: this.config.userPoolId, ClientId: clientId }),
    );
    return true;
  }

  private async keyOf(clientId: string): Promise<ApiKey | undefined> {
    const page = await this.apigateway.send(new GetApiKeysCommand({ nameQuery: clientId, limit: 500 }));
    return page.items?.find((key) => key.name === clientId && key.tags?.[TAG.partner] === 'true');
  }
}

function toRecord(key: ApiKey): PartnerRecord {
  const tier = TIER_NAMES.find((name) => name === key.tags?.[TAG.tier]) ?? 'sandbox';
  return {
    clientId: key.name ?? '',
    name: key.description ?? '',
    tier,
    role: key.tags?.[TAG.role] === 'writer' ? 'writer' : 'reader',
    createdAt: (key.createdDate ?? new Date(0)).toISOString(),
  };
}

/**
 * The usage plans `<prefix>-<tier>` (lib/partner-plans.ts names them so), found by name on first use: an id in
 * the function's environment would make the plans, the stage and the function depend on each other.
 */
export function usagePlansNamed(apigateway: APIGatewayClient, prefix: string) {
  let found: Promise<Record<TierName, string>> | undefined;
  const lookUp = async () => {
    const ids = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await apigateway.send(new GetUsagePlansCommand({ limit: 500, position }));
      for (const plan of page.items ?? []) if (plan.name && plan.id) ids.set(plan.name, plan.id);
      position = page.position;
    } while (position);
    const entries = TIER_NAMES.map((tier) => {
      const id = ids.get(`${prefix}-${tier}`);
      if (!id) throw new Error(`No usage plan ${prefix}-${tier}`);
      return [tier, id] as const;
    });
    return Object.fromEntries(entries) as Record<TierName, string>;
  };
  return () => {
    found ??= lookUp().catch((error: unknown) => {
      found = undefined; // a failed look-up is retried by the next call
      throw error;
    });
    return found;
  };
}
