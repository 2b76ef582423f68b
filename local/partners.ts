import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { PartnerDirectory, PartnerRecord } from '../lambdas/partner/partners';
import { Tier } from '../lambdas/partner/tiers';
import type { LocalAuthority } from './auth';
import { hasErrorCode } from './node-errors';

const StoredPartner = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  apiKey: z.string(),
  name: z.string(),
  tier: Tier,
  role: z.enum(['reader', 'writer']),
  scopes: z.array(z.string()),
  createdAt: z.string(),
});
type StoredPartner = z.infer<typeof StoredPartner>;
const PartnersFile = z.object({ partners: z.array(StoredPartner) });

/** Random URL-safe text for secrets and keys. */
const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Partners on the local Cognito stand-in: each is an app client of the `LocalAuthority`, kept in
 * `DATA_DIR/partners.json` (in memory without a data directory) so they survive a restart.
 */
export class LocalPartnerDirectory implements PartnerDirectory {
  private constructor(
    private readonly auth: LocalAuthority,
    private readonly file: string | undefined,
    private readonly partners: Map<string, StoredPartner>,
  ) {
    for (const partner of partners.values()) auth.register(partner);
  }

  static async open(auth: LocalAuthority, dataDir: string | undefined): Promise<LocalPartnerDirectory> {
    const file = dataDir && join(dataDir, 'partners.json');
    const stored = file ? await readPartners(file) : [];
    return new LocalPartnerDirectory(auth, file, new Map(stored.map((p) => [p.clientId, p])));
  }

  async create(input: Parameters<PartnerDirectory['create']>[0]) {
    const partner: StoredPartner = {
      clientId: randomBytes(13).toString('hex'), // 26 characters, like a Cognito app client id
      clientSecret: token(38),
      apiKey: token(30),
      ...input,
      createdAt: new Date().toISOString(),
    };
    this.partners.set(partner.clientId, partner);
    await this.save();
    this.auth.register(partner);
    return { ...record(partner), clientSecret: partner.clientSecret, apiKey: partner.apiKey };
  }

  async list() {
    return [...this.partners.values()].map(record);
  }

  async get(clientId: string) {
    const partner = this.partners.get(clientId);
    return partner && record(partner);
  }

  async update(clientId: string, patch: Parameters<PartnerDirectory['update']>[1]) {
    const partner = this.partners.get(clientId);
    if (!partner) return undefined;
    Object.assign(partner, patch);
    await this.save();
    this.auth.register(partner);
    return record(partner);
  }

  async remove(clientId: string) {
    if (!this.partners.delete(clientId)) return false;
    this.auth.unregister(clientId);
    await this.save();
    return true;
  }

  /** Written whole to a temporary file and renamed over the old one, so a crash never leaves half a file. */
  private async save(): Promise<void> {
    if (!this.file) return;
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ partners: [...this.partners.values()] }, null, 2)}\n`);
    await rename(temporary, this.file);
  }
}

function record({ clientId, name, tier, role, createdAt }: StoredPartner): PartnerRecord {
  return { clientId, name, tier, role, createdAt };
}

async function readPartners(file: string): Promise<StoredPartner[]> {
  try {
    return PartnersFile.parse(JSON.parse(await readFile(file, 'utf8'))).partners;
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return [];
    throw new Error(`${file} is not a valid partners file`, { cause: error });
  }
}
