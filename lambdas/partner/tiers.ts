import * as z from 'zod/mini';
import { documented } from '../shared/schemas';

/** What a partner may send: a sustained rate, a burst above it, and a number of requests per UTC day. */
export interface TierLimits {
  /** Requests per second, sustained (API Gateway usage plan `rateLimit`). */
  readonly rateLimit: number;
  /** Requests at once above the rate (usage plan `burstLimit`, the token bucket's size). */
  readonly burstLimit: number;
  /** Requests per UTC day (usage plan quota, period DAY). */
  readonly quotaPerDay: number;
}

/**
 * The partner tiers, defined once: the deployed usage plans (lib/partner-plans.ts), the local gateway's
 * limiter (local/rate-limiter.ts) and the partner API's answers all read this table.
 */
export const TIERS = {
  sandbox: { rateLimit: 5, burstLimit: 10, quotaPerDay: 1_000 },
  standard: { rateLimit: 50, burstLimit: 100, quotaPerDay: 100_000 },
  premium: { rateLimit: 200, burstLimit: 400, quotaPerDay: 1_000_000 },
} as const satisfies Record<string, TierLimits>;

export type TierName = keyof typeof TIERS;

export const TIER_NAMES = Object.keys(TIERS) as [TierName, ...TierName[]];

export const Tier = documented(z.enum(TIER_NAMES), {
  description: 'Partner tier: its rate, burst and daily quota',
});
