import * as z from 'zod';
import { PageQuery, page } from '../shared/schemas';
import { Tier } from './tiers';

const PartnerName = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .regex(/^[\p{L}\p{N} .,&'()+-]+$/u, { error: "may hold letters, digits, spaces and .,&'()+-" })
  .meta({ description: 'Who the partner is, e.g. the dealer group (Nordic Dealers AB)' });

/** What the partner's app client may do: read the data, or read it and submit sales. */
export const PartnerRole = z
  .enum(['reader', 'writer'])
  .meta({ description: 'reader: sales-api/read; writer: sales-api/read and sales-api/write' });

export const ClientId = z
  .string()
  .max(128)
  .regex(/^[\w+]{1,128}$/, { error: 'must be an app client id' })
  .meta({ description: 'The partner app client id (OAuth2 client_id)' });

export const PartnerParams = z.strictObject({ clientId: ClientId });

export const PartnerCreate = z
  .strictObject({ name: PartnerName, tier: Tier, role: PartnerRole.default('reader') })
  .meta({ id: 'PartnerCreate' });

export const PartnerUpdate = z
  .strictObject({ name: PartnerName.optional(), tier: Tier.optional() })
  .refine((patch) => patch.name !== undefined || patch.tier !== undefined, {
    error: 'must change name or tier',
  })
  .meta({ id: 'PartnerUpdate' });

const Limits = z
  .object({
    rateLimit: z.number().meta({ description: 'Requests per second, sustained' }),
    burstLimit: z.number().int().meta({ description: 'Requests at once above the rate' }),
    quotaPerDay: z.number().int().meta({ description: 'Requests per UTC day' }),
  })
  .meta({ id: 'TierLimits' });

export const Partner = z
  .object({
    clientId: ClientId,
    name: z.string().max(100),
    tier: Tier,
    role: PartnerRole,
    scopes: z.array(z.string().max(64)).max(2),
    limits: Limits,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Partner' });

export const PartnerCreated = Partner.extend({
  clientSecret: z
    .string()
    .max(256)
    .meta({ description: 'Shown once: store it now, it cannot be read again' }),
  apiKey: z
    .string()
    .max(128)
    .meta({ description: 'Send as x-api-key with every call: it carries the tier limits' }),
}).meta({ id: 'PartnerCreated' });

/** Partners oldest first, a page at a time (keyset on onboarding time and client id). */
export const PartnerListQuery = PageQuery;
export const PartnerPage = page(Partner, 'PartnerPage');
