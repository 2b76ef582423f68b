import type { Node } from 'constructs';

/** What differs between a development and a production deployment; everything else is fixed in the constructs. */
export interface SalesApiSettings {
  /** Protects the Aurora cluster and the tables from deletion (and retains them with the stack). */
  readonly deletionProtection: boolean;
  /** Reserved concurrency per API function, so a traffic spike cannot swamp the database; undefined: none. */
  readonly reservedConcurrency: number | undefined;
  /** Aurora Serverless v2 capacity range in ACUs. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Stage-wide API Gateway throttling, the first guard in front of the database. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Prefix of the Cognito hosted domain (must be unique in the region); undefined: `sales-api-<account>`. */
  readonly authDomainPrefix: string | undefined;
  /** ISO 4217 currency of figures when a request names none. */
  readonly reportingCurrency: string;
}

export const DEFAULT_SETTINGS: SalesApiSettings = {
  deletionProtection: false,
  reservedConcurrency: 20,
  minCapacity: 0.5,
  maxCapacity: 4,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  authDomainPrefix: undefined,
  reportingCurrency: 'EUR',
};

const PREFIX = 'salesApi:';

/**
 * Settings from CDK context (`cdk.json` or `-c salesApi:deletionProtection=true`), over the defaults.
 * A bad value fails the synth with the key named rather than deploying something unintended.
 */
export function settingsFromContext(node: Node): SalesApiSettings {
  const read = (key: keyof SalesApiSettings): unknown => node.tryGetContext(`${PREFIX}${key}`);
  return {
    deletionProtection: toBoolean(
      'deletionProtection',
      read('deletionProtection'),
      DEFAULT_SETTINGS.deletionProtection,
    ),
    reservedConcurrency: toOptionalNumber(
      'reservedConcurrency',
      read('reservedConcurrency'),
      DEFAULT_SETTINGS.reservedConcurrency,
    ),
    minCapacity: toNumber('minCapacity', read('minCapacity'), DEFAULT_SETTINGS.minCapacity),
    maxCapacity: toNumber('maxCapacity', read('maxCapacity'), DEFAULT_SETTINGS.maxCapacity),
    throttleRateLimit: toNumber(
      'throttleRateLimit',
      read('throttleRateLimit'),
      DEFAULT_SETTINGS.throttleRateLimit,
    ),
    throttleBurstLimit: toNumber(
      'throttleBurstLimit',
      read('throttleBurstLimit'),
      DEFAULT_SETTINGS.throttleBurstLimit,
    ),
    authDomainPrefix: toOptionalString('authDomainPrefix', read('authDomainPrefix')),
    reportingCurrency: toCurrency(
      'reportingCurrency',
      read('reportingCurrency'),
      DEFAULT_SETTINGS.reportingCurrency,
    ),
  };
}

function invalid(key: string, value: unknown, expected: string): Error {
  return new Error(`Context ${PREFIX}${key} must be ${expected}, got ${JSON.stringify(value)}`);
}

function toBoolean(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(key, value, 'true or false');
}

function toNumber(key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0)
    throw invalid(key, value, 'a positive number');
  return parsed;
}

/** `none` switches an optional number off (e.g. no reserved concurrency on an account with a low quota). */
function toOptionalNumber(key: string, value: unknown, fallback: number | undefined): number | undefined {
  if (value === 'none') return undefined;
  return value === undefined ? fallback : toNumber(key, value, 0);
}

function toOptionalString(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(key, value, 'a non-empty string');
  return value;
}

function toCurrency(key: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value))
    throw invalid(key, value, 'an ISO 4217 code like EUR');
  return value;
}
