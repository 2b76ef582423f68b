/**
 * fast-check generators: known-good values for every field the API takes, and the weird ones fuzzing throws at it.
 * Valid generators cover each field's whole accepted domain (boundaries included), not only typical values.
 */
import fc from 'fast-check';
import { BrandCreate } from '../../lambdas/brand/schemas';
import { BODY_TYPES } from '../../lambdas/model/schemas';
import { SaleCreate } from '../../lambdas/sales/schemas';
import { COUNTRY_CODES } from '../../lambdas/shared/countries';
import { minorDigits } from '../../lambdas/shared/money';

const DAY_MS = 86_400_000;
export const CURRENCIES = Intl.supportedValuesOf('currency');
export const COUNTRIES = [...COUNTRY_CODES];

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (day: string, days: number) => isoDay(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** A calendar day `YYYY-MM-DD` between two days, biased to both ends. */
export function day(min = '0000-01-01', max = '9999-12-31'): fc.Arbitrary<string> {
  const lo = Date.parse(`${min}T00:00:00Z`) / DAY_MS;
  const hi = Date.parse(`${max}T00:00:00Z`) / DAY_MS;
  return fc
    .oneof(
      { weight: 6, arbitrary: fc.integer({ min: lo, max: hi }) },
      { weight: 1, arbitrary: fc.constantFrom(lo, hi) },
    )
    .map((n) => isoDay(n * DAY_MS));
}

/** A `{ from, to }` range of at most `maxDays` days (inclusive), biased to exactly `maxDays`. */
export function range(maxDays: number, min = '0000-01-01', max = '9999-12-31') {
  return fc
    .tuple(day(min, max), fc.oneof(fc.integer({ min: 0, max: maxDays - 1 }), fc.constantFrom(0, maxDays - 1)))
    .map(([from, span]) => {
      const to = addDays(from, span);
      return Date.parse(`${to}T00:00:00Z`) > Date.parse(`${max}T00:00:00Z`)
        ? { from: addDays(max, -span), to: max }
        : { from, to };
    });
}

/** An offset zod's `iso.datetime({ offset: true })` accepts: `Z` or ±00:00..±23:59. */
const offset = fc.oneof(
  fc.constant('Z'),
  fc
    .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([sign, hours, minutes]) => `${sign}${pad(hours)}:${pad(minutes)}`),
  fc.constantFrom('+00:00', '-00:00', '+14:00', '-12:00', '+23:59', '-23:59'),
);

/** `soldAt` as the API accepts it: a date or a date-time with offset whose written year is 1900-2100. */
export const soldAt: fc.Arbitrary<string> = fc.oneof(
  day('1900-01-01', '2100-12-31'),
  fc
    .record({
      date: day('1900-01-01', '2100-12-31'),
      h: fc.integer({ min: 0, max: 23 }),
      m: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      fraction: fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }),
      offset,
    })
    .map(
      ({ date, h, m, s, fraction, offset }) =>
        `${date}T${pad(h)}:${pad(m)}:${pad(s)}${fraction === undefined ? '' : `.${fraction}`}${offset}`,
    ),
);

export const quantity = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.constantFrom(1, 2, 999_999, 1_000_000),
);

/** A unit price string with at most as many decimals as the currency's minor unit (and at most 4). */
export function unitPrice(currency: string): fc.Arbitrary<string> {
  const decimals = Math.min(4, minorDigits(currency));
  return fc
    .tuple(
      fc.oneof(fc.stringMatching(/^\d{1,15}$/), fc.constantFrom('0', '999999999999999', '000000000000001')),
      decimals === 0 ? fc.constant('') : fc.stringMatching(new RegExp(`^(\\.\\d{1,${decimals}})?$`)),
    )
    .map(([whole, fraction]) => `${whole}${fraction}`);
}

const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength }),
    fc.string({ unit: 'binary', minLength: 1, maxLength }),
    fc.constantFrom(
      'a',
      'Ω',
      '名字',
      '😀',
      'e\u0301',
      '\u202Eevil',
      "O'Brien",
      '"quoted"',
      'a,b',
      'line\nbreak',
    ),
  );

/** A brand or model name the schemas accept (1-80 characters, not blank). */
export const name = fc
  .oneof(text(80), fc.constant('nul\u0000name'))
  .filter((value) => BrandCreate.shape.name.safeParse(value).success);

/** A partner's externalId the schema accepts: 1-180 characters (unique suffixes are added when sending). */
export const externalId = fc
  .oneof(text(180), fc.constant('ext\u0000nul'))
  .filter((value) => SaleCreate.shape.externalId.safeParse(value).success);

export const bodyType = fc.constantFrom(...BODY_TYPES);
export const launchYear = fc.oneof(fc.integer({ min: 1886, max: 2100 }), fc.constantFrom(1886, 2100));
export const country = fc.constantFrom(...COUNTRIES);
export const currency = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...['EUR', 'USD', 'JPY', 'KWD', 'CLF'].filter((code) => CURRENCIES.includes(code)),
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...CURRENCIES) },
);

/** A sale as the API accepts it (the request schema's type). */
export type SaleInput = SaleCreate;

/** A valid sale of one of `modelIds`; optional fields present or not. */
export function sale(modelIds: readonly string[]): fc.Arbitrary<SaleInput> {
  return fc
    .record({
      modelId: fc.constantFrom(...modelIds),
      soldAt,
      quantity,
      currency: fc.option(currency, { nil: undefined }),
      country: fc.option(country, { nil: undefined }),
      externalId: fc.option(externalId, { nil: undefined }),
    })
    .chain((base) =>
      unitPrice(base.currency ?? 'EUR').map((price) => {
        const result: SaleInput = {
          modelId: base.modelId,
          soldAt: base.soldAt,
          quantity: base.quantity,
          unitPrice: price,
        };
        if (base.currency !== undefined) result.currency = base.currency;
        if (base.country !== undefined) result.country = base.country;
        if (base.externalId !== undefined) result.externalId = base.externalId;
        return result;
      }),
    );
}

/** Strings nobody should send: empty, control characters, injections, odd unicode, near-miss values. */
export const weirdShortString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\u0000',
    'a\u0000b',
    '\uFEFF',
    '\u202E',
    '\uD800',
    '\uDFFF',
    'null',
    'undefined',
    'NaN',
    'true',
    '[]',
    '{}',
    '0',
    '-1',
    '1e309',
    "'; DROP TABLE sales; --",
    "' OR '1'='1",
    '$1',
    ':id',
    '../../etc/passwd',
    '%00',
    '%ZZ',
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style probe, literally
    '${jndi:ldap://127.0.0.1/a}',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '0000000g-0000-4000-8000-000000000000',
    '2025-02-29',
    '2100-02-29',
    '1899-12-31',
    '2101-01-01',
    '0000-00-00',
    '0000-01-01',
    '9999-12-31',
    '2025-13-01',
    '2025-01-01T24:00:00Z',
    '2025-01-01T00:00:60Z',
    '2025-01-01T00:00:00',
    '2025-01-01T00:00:00+24:00',
    '2025-01-01 00:00:00Z',
    '+002025-01-01',
    'eur',
    'de',
    'XXX',
    '1.00001',
    '-0.01',
    '1,5',
    ' 1',
    '１',
  ),
  fc.integer({ min: 101, max: 300 }).map((n) => 'é'.repeat(n)),
);

/** The same, plus very long strings (up to 300k characters): for bodies, not for URLs or headers. */
export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: weirdShortString },
  { weight: 1, arbitrary: fc.integer({ min: 201, max: 5_000 }).map((n) => '😀'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
);

export const weirdNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    0.5,
    1.5,
    -1.5,
    999_999,
    1_000_000,
    1_000_001,
    1885,
    1886,
    2100,
    2101,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MAX_VALUE,
    1e21,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value that is probably of the wrong type or out of range for a field. */
export const weirdJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: weirdString },
  { weight: 3, arbitrary: weirdNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [1], { $gt: '' }, { __proto__: null }) },
);

/** Number literals and near-numbers only raw JSON text can carry. */
export const rawNumberLiteral = fc.constantFrom(
  '1e400',
  '-1e400',
  '-0',
  '1.0',
  '1E0',
  '12345678901234567890123',
  '0.0000000000000000000001',
  '1e-400',
  '01',
  '+1',
  '.5',
  '1.',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  "'1'",
);

/** Bodies that are not (the expected) JSON at all. */
export const malformedJson = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '{"name":',
    '{"name": "a",}',
    "{'name': 'a'}",
    '{name: "a"}',
    '{"name": "a"} trailing',
    '{"name": "a"}{"name": "b"}',
    '// comment\n{}',
    '\uFEFF{"name": "a"}',
    '[',
    '"unterminated',
    '\u0000',
    'null',
    'true',
    '[]',
    '"a string"',
    '123',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`,
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
);

/** Content types that are not JSON (for JSON routes) or not CSV (for the import). */
export const wrongContentType = fc.constantFrom(
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'json',
  'application',
  '*/*',
  'text/csv+json',
  'application/csv',
  'text/tab-separated-values',
  'TEXT/HTML',
);
