import type { Node } from 'constructs';
import * as z from 'zod';
import { Currency } from '../lambdas/shared/money';
import { DEFAULTS, STAGE_DEFAULTS, type Stage } from './defaults';

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

const STAGE = z.enum(['dev', 'prod'], { error: 'must be dev or prod' });

/** What differs between deployments; everything else is fixed in the constructs. Defaults per stage. */
function settingsSchema(stage: Stage) {
  const defaults = STAGE_DEFAULTS[stage];
  return z
    .strictObject({
      /** Protects the Aurora cluster and the tables from deletion (and retains them with the stack). */
      deletionProtection: Flag.default(defaults.deletionProtection),
      /** The demo app clients (reader, writer, admin) with API keys; never in production. */
      demoClients: Flag.default(defaults.demoClients),
      /** API Gateway stage cache for the stats and per-model sales GETs. */
      apiCache: Flag.default(defaults.apiCache),
      /**
       * How long a cached GET is served: the projector's schedule (one minute) is the figures' own staleness,
       * so a cache of up to a minute adds at most that again.
       */
      apiCacheTtlSeconds: PositiveInteger.refine((n) => n <= 3600, { error: 'must be at most 3600' }).default(
        60,
      ),
      /** Where alarms are e-mailed (an SNS subscription); required in prod. */
      alarmEmail: z.email({ error: 'must be an e-mail address' }).optional(),
      /** Reserved concurrency per API function, so a spike cannot swamp the database; `none`: no reservation. */
      reservedConcurrency: z
        .union([z.literal('none').transform(() => null), PositiveInteger])
        .default(20)
        .transform((value) => value ?? undefined),
      /** Aurora Serverless v2 capacity range in ACUs. */
      minCapacity: PositiveNumber.default(0.5),
      maxCapacity: PositiveNumber.default(4),
      /** Stage-wide API Gateway throttling, the guard in front of the database above the partners' plans. */
      throttleRateLimit: PositiveNumber.default(DEFAULTS.throttle.rateLimit),
      throttleBurstLimit: PositiveInteger.default(DEFAULTS.throttle.burstLimit),
      /** Prefix of the Cognito hosted domain (unique in the region); absent: `sales-api-<account>`. */
      authDomainPrefix: z.string().min(1, { error: 'must be a non-empty string' }).optional(),
      /** ISO 4217 currency of figures when a request names none. */
      reportingCurrency: z._default(Currency, DEFAULTS.reportingCurrency),
    })
    .refine((settings) => settings.minCapacity <= settings.maxCapacity, {
      error: 'must not exceed maxCapacity',
      path: ['minCapacity'],
    })
    .refine((settings) => !defaults.requireAlarmEmail || settings.alarmEmail !== undefined, {
      error: `is required for stage ${stage}`,
      path: ['alarmEmail'],
    })
    .transform((settings) => ({ stage, ...settings }));
}

export type SalesApiSettings = z.output<ReturnType<typeof settingsSchema>>;

const PREFIX = 'salesApi:';

/** The settings of a stage with nothing overridden (`alarmEmail` where the stage requires one). */
export function stageDefaults(stage: Stage, overrides: Record<string, unknown> = {}): SalesApiSettings {
  return settingsSchema(stage).parse(overrides);
}

export const DEFAULT_SETTINGS: SalesApiSettings = stageDefaults('dev');

/**
 * Settings from CDK context: the stage (`-c stage=prod`, default dev) picks the defaults, and
 * `cdk.json` or `-c salesApi:deletionProtection=true` override them. A bad value, or an unknown `salesApi:`
 * key (a typo), fails the synth with the key named rather than deploying something unintended.
 */
export function settingsFromContext(node: Node): SalesApiSettings {
  const stage = STAGE.safeParse(node.tryGetContext('stage') ?? 'dev');
  if (!stage.success) throw new Error(`Invalid settings: context stage ${stage.error.issues[0]?.message}`);
  const given = Object.entries(node.getAllContext())
    .filter(([key]) => key.startsWith(PREFIX))
    .map(([key, value]) => [key.slice(PREFIX.length), value]);
  const parsed = settingsSchema(stage.data).safeParse(Object.fromEntries(given));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.join('.')];
    const message = issue.code === 'unrecognized_keys' ? 'is not a setting' : issue.message;
    return keys.map((key) => `context ${PREFIX}${key} ${message}`).join('; ');
  });
  throw new Error(`Invalid settings: ${problems.join('; ')}`);
}
