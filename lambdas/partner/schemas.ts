import * as z from 'zod/mini';
import { documented, PageQuery, page } from '../shared/schemas';
import { Tier } from './tiers';

const PartnerName = documented(
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(100, { error: 'must be at most 100 characters' }),
      z.regex(/^[\p{L}\p{N} .,&'()+-]+$/u, { error: "may hold letters, digits, spaces and .,&'()+-" }),
    ),
  { description: 'Who the partner is, e.g. the dealer group (Nordic Dealers AB)' },
);

/** What the partner's app client may do: read the data, or read it and submit sales. */
export const PartnerRole = documented(z.enum(['reader', 'writer']), {
  description: 'reader: sales-api/read; writer: sales-api/read and sales-api/write',
});

export const ClientId = documented(
  z.string().check(z.maxLength(128), z.regex(/^[\w+]{1,128}$/, { error: 'must be an app client id' })),
  { description: 'The partner app client id (OAuth2 client_id)' },
);

export const PartnerParams = z.strictObject({ clientId: ClientId });

export const PartnerCreate = documented(
  z.strictObject({ name: PartnerName, tier: Tier, role: z._default(PartnerRole, 'reader') }),
  { id: 'PartnerCreate' },
);

export const PartnerUpdate = documented(
  z.strictObject({ name: z.optional(PartnerName), tier: z.optional(Tier) }).check(
    z.refine((patch) => patch.name !== undefined || patch.tier !== undefined, {
      error: 'must change name or tier',
    }),
  ),
  { id: 'PartnerUpdate' },
);

const Limits = documented(
  z.object({
    rateLimit: documented(z.number(), { description: 'Requests per second, sustained' }),
    burstLimit: documented(z.number().check(z.int()), { description: 'Requests at once above the rate' }),
    quotaPerDay: documented(z.number().check(z.int()), { description: 'Requests per UTC day' }),
  }),
  { id: 'TierLimits' },
);

export const Partner = documented(
  z.object({
    clientId: ClientId,
    name: z.string().check(z.maxLength(100)),
    tier: Tier,
    role: PartnerRole,
    scopes: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(2)),
    limits: Limits,
    createdAt: z.iso.datetime(),
  }),
  { id: 'Partner' },
);

export const PartnerCreated = documented(
  z.object({
    ...Partner.shape,
    clientSecret: documented(z.string().check(z.maxLength(256)), {
      description: 'Shown once: store it now, it cannot be read again',
    }),
    apiKey: documented(z.string().check(z.maxLength(128)), {
      description: 'Send as x-api-key with every call: it carries the tier limits',
    }),
  }),
  { id: 'PartnerCreated' },
);

/** Partners oldest first, a page at a time (keyset on onboarding time and client id). */
export const PartnerListQuery = PageQuery;
export const PartnerPage = page(Partner, 'PartnerPage');
