import type { Node } from 'constructs';
import * as z from 'zod';
import { Currency } from '../lambdas/shared/money';
import { DEFAULTS } from './defaults';

/** `true`/`false` as cdk.json gives them (booleans) and as `-c key=value` gives them (strings). */
const Flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
  error: 'must be true or false',
});
const positive = (error: string) =>
  z.coerce.number({ error }).refine((n) => n > 0 && Number.isFinite(n), { error });
const PositiveNumber = positive('must be a positive number');
const PositiveInteger = positive('must be a positive integer').refine(Number.isInteger, {
  error: 'must be a positive integer',
});

/** What differs between a development and a production deployment; everything else is fixed in the constructs. */
const SettingsSchema = z
  .strictObject({
    /** Protects the Aurora cluster and the tables from deletion (and retains them with the stack). */
    deletionProtection: Flag.default(false),
    /** Reserved concurrency per API function, so a spike cannot swamp the database; `none`: no reservation. */
    reservedConcurrency: z
      .union([z.literal('none').transform(() => null), PositiveInteger])
      .default(20)
      .transform((value) => value ?? undefined),
    /** Aurora Serverless v2 capacity range in ACUs. */
    minCapacity: PositiveNumber.default(0.5),
    maxCapacity: PositiveNumber.default(4),
    /** Stage-wide API Gateway throttling, the first guard in front of the database. */
    throttleRateLimit: PositiveNumber.default(DEFAULTS.throttle.rateLimit),
    throttleBurstLimit: PositiveInteger.default(DEFAULTS.throttle.burstLimit),
    /** Prefix of the Cognito hosted domain (unique in the region); absent: `sales-api-<account>`. */
    authDomainPrefix: z.string().min(1, { error: 'must be a non-empty string' }).optional(),
    /** ISO 4217 currency of figures when a request names none. */
    reportingCurrency: Currency.default(DEFAULTS.reportingCurrency),
  })
  .refine((settings) => settings.minCapacity <= settings.maxCapacity, {
    error: 'must not exceed maxCapacity',
    path: ['minCapacity'],
  });

export type SalesApiSettings = z.output<typeof SettingsSchema>;

const PREFIX = 'salesApi:';

export const DEFAULT_SETTINGS: SalesApiSettings = SettingsSchema.parse({});

/**
 * Settings from CDK context (`cdk.json` or `-c salesApi:deletionProtection=true`), over the defaults.
 * A bad value, or an unknown `salesApi:` key (a typo), fails the synth with the key named rather than
 * deploying something unintended.
 */
export function settingsFromContext(node: Node): SalesApiSettings {
  const given = Object.entries(node.getAllContext())
    .filter(([key]) => key.startsWith(PREFIX))
    .map(([key, value]) => [key.slice(PREFIX.length), value]);
  const parsed = SettingsSchema.safeParse(Object.fromEntries(given));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.join('.')];
    const message = issue.code === 'unrecognized_keys' ? 'is not a setting' : issue.message;
    return keys.map((key) => `context ${PREFIX}${key} ${message}`).join('; ');
  });
  throw new Error(`Invalid settings: ${problems.join('; ')}`);
}
