/** Exact decimal amounts as strings, summed as scaled BigInts: money is never a float. */
import * as z from 'zod/mini';
import { codeOf } from './code-schema';

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/**
 * The one rule for a currency code, wherever one arrives (request bodies and queries, REPORTING_CURRENCY,
 * CDK settings): an ISO 4217 code this runtime knows, so its minor unit is known too.
 */
// Every ISO 4217 code has three letters (stated for clients; the set enforces the exact codes).
export const Currency = codeOf(CURRENCIES, {
  error: 'must be an ISO 4217 currency code in upper case, e.g. EUR',
  description: 'ISO 4217 currency code',
  example: 'EUR',
});

const MINOR_DIGITS = new Map<string, number>();

/** Digits after the decimal point of a currency's minor unit (EUR 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  let digits = MINOR_DIGITS.get(currency);
  if (digits === undefined) {
    // Building a NumberFormat costs about 15 µs: an import of 100k rows asks once per row.
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    MINOR_DIGITS.set(currency, digits);
  }
  return digits;
}

/** Internal scale of sums: unit prices have at most 4 decimals and quantities are integers. */
const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);

export function parseDecimal(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new TypeError(`Not a decimal: ${text}`);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > SCALE && /[1-9]/.test(fraction.slice(SCALE)))
    throw new RangeError(`Too many decimals: ${text}`);
  // One BigInt from the digits (a bulk import parses a price per row).
  const scaled = BigInt(whole + fraction.slice(0, SCALE).padEnd(SCALE, '0'));
  return sign ? -scaled : scaled;
}

/** Formats a scaled amount with exactly `digits` decimals (it must already be exact at that precision). */
export function formatDecimal(scaled: bigint, digits: number): string {
  const negative = scaled < 0n;
  const absolute = negative ? -scaled : scaled;
  const whole = absolute / FACTOR;
  const fraction = (absolute % FACTOR).toString().padStart(SCALE, '0');
  const kept = fraction.slice(0, digits);
  if (/[1-9]/.test(fraction.slice(digits))) throw new RangeError('Amount has more decimals than requested');
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${kept}` : ''}`;
}

export function sumDecimals(amounts: readonly string[]): bigint {
  return amounts.reduce((total, amount) => total + parseDecimal(amount), 0n);
}

/** `total / count` rounded half-to-even to `digits` decimals. */
export function divideHalfEven(scaledTotal: bigint, count: number, digits: number): string {
  const unit = 10n ** BigInt(SCALE - digits); // one minor unit at the internal scale
  const divisor = BigInt(count) * unit;
  const negative = scaledTotal < 0n;
  const absolute = negative ? -scaledTotal : scaledTotal;
  let quotient = absolute / divisor;
  const twiceRemainder = (absolute % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n)) quotient += 1n;
  return formatDecimal((negative ? -quotient : quotient) * unit, digits);
}

/** An exact amount shown with exactly its currency's minor-unit decimals (e.g. a stored "10.5000" EUR → "10.50"). */
export function inMinorUnits(amount: string, currency: string): string {
  return formatDecimal(parseDecimal(amount), minorDigits(currency));
}

/** An exact decimal amount in a response (sums, averages, prices): never a float. */
export const Decimal = z
  .string()
  .check(z.maxLength(40), z.regex(/^-?\d+(\.\d+)?$/))
  .register(z.globalRegistry, { description: 'Exact decimal string in the currency', example: '24999.90' });

/** Currency of figures when a request names none (ISO 4217). */
export const currencyEnv = {
  REPORTING_CURRENCY: Currency,
};
