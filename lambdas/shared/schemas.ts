import * as z from 'zod';
import { COUNTRY_CODES } from './countries';

export const Uuid = z.uuid({ error: 'must be a UUID' });

export const CountryCode = z
  .string()
  .refine((code) => COUNTRY_CODES.has(code), {
    error: 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE',
  })
  .meta({ description: 'ISO 3166-1 alpha-2 country code', example: 'DE' });

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

export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Cursor of the next page; null on the last page' }),
  });
}

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
