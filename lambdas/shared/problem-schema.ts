/**
 * The problem+json body (RFC 9457) as a schema: for the OpenAPI document, which gives it to every problem
 * response, and for stored reasons that extend it. No function validates its own answers, so the API functions
 * do not carry it.
 */
import * as z from 'zod/mini';
import { documented, Uuid } from './schemas';

const int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

/** One offending field of a request, as problem `errors` items name them (lambdas/shared/errors.ts FieldIssue). */
export const FieldIssue = documented(
  z.strictObject({
    path: documented(z.string().check(z.maxLength(512)), {
      description: 'Where: `body.sales[3].unitPrice`, `query.limit`, `line 7: unitPrice`',
    }),
    message: z.string().check(z.maxLength(1024)),
    index: documented(z.optional(int(0, 100_000)), { description: 'Batches: the index of the item' }),
    line: documented(z.optional(int(1, 10_000_000)), { description: 'CSV imports: the 1-based line' }),
    column: documented(z.optional(z.string().check(z.maxLength(256))), {
      description: 'CSV imports: the column',
    }),
    existingSaleId: documented(z.optional(Uuid), {
      description: 'Conflicts: the sale that already holds this externalId',
    }),
  }),
  { id: 'FieldIssue' },
);

/** The fields of a problem+json body (RFC 9457), for schemas that extend it. */
export const problemFields = {
  type: documented(z.url().check(z.maxLength(256)), { description: 'URI of the problem type' }),
  title: z.string().check(z.maxLength(256)),
  status: int(400, 599),
  detail: z.optional(z.string().check(z.maxLength(2048))),
  instance: z.optional(z.string().check(z.maxLength(1024))),
  requestId: documented(z.optional(z.string().check(z.maxLength(128))), {
    description: 'Same as the X-Request-Id header',
  }),
  errors: documented(z.optional(z.array(FieldIssue).check(z.maxLength(1000))), {
    description: 'The offending fields, when there are any: the first 1000',
  }),
  omittedErrors: documented(z.optional(int(1, 100_000_000)), {
    description: 'How many more offending fields there are beyond the first 1000',
  }),
};

export const Problem = documented(z.strictObject(problemFields), {
  id: 'Problem',
  description: 'RFC 9457 problem details',
});
