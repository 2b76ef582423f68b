import * as z from 'zod';
import { COUNTRY_CODES } from './countries';

export const Uuid = z.uuid({ error: 'must be a UUID' });

const COUNTRY_ERROR = 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE';
export const CountryCode = z
  .string()
  .refine((code) => COUNTRY_CODES.has(code), { error: COUNTRY_ERROR })
  .meta({ description: 'ISO 3166-1 alpha-2 country code', example: 'DE', minLength: 2, maxLength: 2 });

export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 date-time (UTC)' });

/** A whole number from a query string: digits only (no `1e1`, `0x10` or spaces), within bounds. */
export function queryInteger(min: number, max: number, fallback: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }))
    .optional()
    .transform((value) => value ?? fallback)
    .meta({
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) =>
        replaceWith(jsonSchema, { type: 'integer', minimum: min, maximum: max, default: fallback }),
    });
}

/** Documents a query-string number as the integer it stands for, not as the digits it arrives as. */
function replaceWith(target: Record<string, unknown>, schema: Record<string, unknown>) {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, schema);
}

export const PageQuery = z.strictObject({
  limit: queryInteger(1, 100, 20).meta({ description: 'Page size, 1-100' }),
  cursor: z
    .string()
    .max(1024)
    .optional()
    .meta({ description: 'Opaque cursor from the previous page’s `nextCursor`' }),
});

/** A keyset page: at most the largest `limit` of items. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item).max(100),
    nextCursor: z
      .string()
      .max(1024)
      .nullable()
      .meta({ description: 'Cursor of the next page; null on the last page' }),
  });
}

/** An exact decimal amount in a response (sums, averages, prices): never a float. */
export const Decimal = z
  .string()
  .max(40)
  .regex(/^-?\d+(\.\d+)?$/)
  .meta({ description: 'Exact decimal string in the currency', example: '24999.90' });

/** A brand or model name as the API returns it (names are at most 100 characters when written). */
export const NameText = z.string().max(100);

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The rule for day ranges in every query (sales lists and stats alike): `from` must not be after `to`. Only two
 * well-formed days are compared; a malformed one is reported once, by its own field.
 */
export function checkDayOrder(
  query: { from?: string | undefined; to?: string | undefined },
  context: z.RefinementCtx,
) {
  const { from, to } = query;
  if (from === undefined || to === undefined || !ISO_DAY.test(from) || !ISO_DAY.test(to)) return;
  if (from > to) context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
}

/** One offending field of a request, as problem `errors` items name them (lambdas/shared/errors.ts FieldIssue). */
export const FieldIssue = z
  .object({
    path: z
      .string()
      .max(512)
      .meta({ description: 'Where: `body.sales[3].unitPrice`, `query.limit`, `line 7: unitPrice`' }),
    message: z.string().max(1024),
    index: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .optional()
      .meta({ description: 'Batches: the index of the item' }),
    line: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .meta({ description: 'CSV imports: the 1-based line' }),
    column: z.string().max(256).optional().meta({ description: 'CSV imports: the column' }),
    existingSaleId: Uuid.optional().meta({
      description: 'Conflicts: the sale that already holds this externalId',
    }),
  })
  .strict()
  .meta({ id: 'FieldIssue' });

export const Problem = z
  .object({
    type: z.url().max(256).meta({ description: 'URI of the problem type' }),
    title: z.string().max(256),
    status: z.number().int().min(400).max(599),
    detail: z.string().max(2048).optional(),
    instance: z.string().max(1024).optional(),
    requestId: z.string().max(128).optional().meta({ description: 'Same as the X-Request-Id header' }),
    errors: z
      .array(FieldIssue)
      .max(1000)
      .optional()
      .meta({ description: 'The offending fields, when there are any: the first 1000' }),
    omittedErrors: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .optional()
      .meta({ description: 'How many more offending fields there are beyond the first 1000' }),
  })
  .strict()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
