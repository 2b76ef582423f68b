import { NotFoundError } from '../shared/errors';
import { type CursorCodec, toPage } from '../shared/pagination';
import { SCOPES } from '../shared/route';
import type { TierName } from './tiers';
import { TIERS } from './tiers';

export type PartnerRoleName = 'reader' | 'writer';

/** A partner as kept by the directory: an OAuth2 app client with a tier. */
export interface PartnerRecord {
  clientId: string;
  name: string;
  tier: TierName;
  role: PartnerRoleName;
  createdAt: string;
}

/** What only onboarding returns, once. */
export interface PartnerSecrets {
  clientSecret: string;
  apiKey: string;
}

/**
 * Where partners live: Cognito app clients with API keys in usage plans (lambdas/partner/aws-directory.ts), or
 * the local Cognito stand-in (local/partners.ts). Scopes follow from the role; limits from the tier.
 */
export interface PartnerDirectory {
  create(input: {
    name: string;
    tier: TierName;
    role: PartnerRoleName;
    scopes: string[];
  }): Promise<PartnerRecord & PartnerSecrets>;
  list(): Promise<PartnerRecord[]>;
  /** Undefined when no such partner. */
  get(clientId: string): Promise<PartnerRecord | undefined>;
  /** Changes name and/or tier; undefined when no such partner. */
  update(clientId: string, patch: { name?: string; tier?: TierName }): Promise<PartnerRecord | undefined>;
  /** Removes the app client and its API key: no new token, no further call. False when no such partner. */
  remove(clientId: string): Promise<boolean>;
}

const keyOf = (record: PartnerRecord) => [record.createdAt, record.clientId];

/** Ordinal, part by part: ISO timestamps and client ids sort by their characters. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [left = '', right = ''] = [a[i], b[i]];
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

/** The OAuth2 scopes of each role's app client. */
export const ROLE_SCOPES: Record<PartnerRoleName, string[]> = {
  reader: [SCOPES.read],
  writer: [SCOPES.read, SCOPES.write],
};

/** Partner onboarding and upkeep, for operators (admin scope) through the API and the CLI. */
export class Partners {
  constructor(
    private readonly directory: PartnerDirectory,
    private readonly cursors: CursorCodec,
  ) {}

  /** Creates the app client and its API key; the secret and the key are shown this once. */
  async onboard(input: { name: string; tier: TierName; role: PartnerRoleName }) {
    const created = await this.directory.create({ ...input, scopes: ROLE_SCOPES[input.role] });
    return { ...this.view(created), clientSecret: created.clientSecret, apiKey: created.apiKey };
  }

  /**
   * Oldest first, keyset on (createdAt, clientId), so a partner added or removed between pages moves no other.
   * The directories list every partner at once (API Gateway has no tag filter), so pages are cut here.
   */
  async list(limit: number, cursor?: string) {
    const after = cursor ? this.cursors.decode(cursor, 'partners') : undefined;
    const sorted = (await this.directory.list()).sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    const rest = after ? sorted.filter((record) => compareKeys(keyOf(record), after) > 0) : sorted;
    const page = toPage(rest.slice(0, limit + 1), limit, keyOf, this.cursors, 'partners');
    return { ...page, items: page.items.map((record) => this.view(record)) };
  }

  async get(clientId: string) {
    return this.view(this.found(clientId, await this.directory.get(clientId)));
  }

  async update(clientId: string, patch: { name?: string | undefined; tier?: TierName | undefined }) {
    const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    return this.view(this.found(clientId, await this.directory.update(clientId, changes)));
  }

  async remove(clientId: string): Promise<void> {
    if (!(await this.directory.remove(clientId))) throw new NotFoundError('Partner', clientId);
  }

  private found(clientId: string, record: PartnerRecord | undefined): PartnerRecord {
    if (!record) throw new NotFoundError('Partner', clientId);
    return record;
  }

  private view(record: PartnerRecord) {
    const { clientId, name, tier, role, createdAt } = record;
    return { clientId, name, tier, role, scopes: ROLE_SCOPES[role], limits: TIERS[tier], createdAt };
  }
}
