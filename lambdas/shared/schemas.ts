/**
 * Schemas every function shares, in zod's small entry point (`zod/mini`: functions instead of methods, so a bundle
 * carries only the checks it uses, and builds its schemas at a fraction of classic zod's start-up cost).
 * Wrap them with zod's functions (`z.optional(Uuid)`), which both entry points share.
 */

import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';

/** Documents a schema (OpenAPI): its own metadata, on the instance itself (no copy is made). */
export function documented<T extends core.$ZodType>(schema: T, meta: core.GlobalMeta): T {
  z.globalRegistry.add(schema, meta);
  return schema;
}

export const Uuid = z.uuid({ error: 'must be a UUID' });

export const Timestamp = documented(z.iso.datetime({ offset: true }), {
  description: 'ISO 8601 date-time (UTC)',
});

/** A whole number from a query string: digits only (no `1e1`, `0x10` or spaces), within bounds. */
export function queryInteger(min: number, max: number, fallback: number, meta: core.GlobalMeta = {}) {
  const message = `must be an integer from ${min} to ${max}`;
  return documented(
    z.pipe(
      z.optional(
        z.pipe(
          z.pipe(z.string().check(z.regex(/^\d{1,9}$/, { error: message })), z.transform(Number)),
          z.number().check(z.int(), z.gte(min, { error: message }), z.lte(max, { error: message })),
        ),
      ),
      z.transform((value: number | undefined) => value ?? fallback),
    ),
    {
      ...meta,
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) =>
        replaceWith(jsonSchema, { type: 'integer', minimum: min, maximum: max, default: fallback }),
    },
  );
}

/** Documents a query-string number as the integer it stands for, not as the digits it arrives as. */
function replaceWith(target: Record<string, unknown>, schema: Record<string, unknown>) {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, schema);
}

export const PageQuery = z.strictObject({
  limit: queryInteger(1, 100, 20, { description: 'Page size, 1-100' }),
  cursor: documented(z.optional(z.string().check(z.maxLength(1024))), {
    description: 'Opaque cursor from the previous page’s `nextCursor`',
  }),
});

/** A keyset page, documented under `id`: at most the largest `limit` of items. */
export function page<T extends core.$ZodType>(item: T, id: string) {
  return documented(
    z.object({
      items: z.array(item).check(z.maxLength(100)),
      nextCursor: documented(z.nullable(z.string().check(z.maxLength(1024))), {
        description: 'Cursor of the next page; null on the last page',
      }),
    }),
    { id },
  );
}

/** A brand or model name as the API returns it (names are at most 100 characters when written). */
export const NameText = z.string().check(z.maxLength(100));

/** A brand or model name as written: trimmed, 1 to 100 characters, no NUL. */
export function nameInput(description: string, example: string) {
  return documented(
    z.string().check(
      z.trim(),
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(100, { error: 'must be at most 100 characters' }),
      z.refine((name) => !name.includes('\u0000'), { error: 'must not contain NUL characters' }),
    ),
    { description, example },
  );
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The rule for day ranges in every query (sales lists and stats alike): `from` must not be after `to`. Only two
 * well-formed days are compared; a malformed one is reported once, by its own field.
 */
export function checkDayOrder(
  query: { from?: string | undefined; to?: string | undefined },
  context: core.$RefinementCtx,
) {
  const { from, to } = query;
  if (from === undefined || to === undefined || !ISO_DAY.test(from) || !ISO_DAY.test(to)) return;
  if (from > to) context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
}
