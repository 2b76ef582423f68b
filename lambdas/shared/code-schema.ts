import * as z from 'zod/mini';

/**
 * A code of a fixed set (ISO 3166 countries, ISO 4217 currencies): the set decides, and the documentation states
 * the codes' length for clients.
 */
export function codeOf(
  codes: ReadonlySet<string>,
  doc: { error: string; description: string; example: string },
) {
  const { error, description, example } = doc;
  return z
    .string()
    .check(z.refine((code) => codes.has(code), { error }))
    .register(z.globalRegistry, {
      description,
      example,
      minLength: example.length,
      maxLength: example.length,
    });
}
