import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { en } from 'zod/v4/locales';

// zod/mini brings no messages of its own: every function gets the English ones classic zod sets by default, so a
// function built on zod/mini answers the same problem details.
z.config(en());

/** Parses environment variables once, at cold start, and fails fast with every missing or bad one named. */
export function readEnv<T extends core.$ZodShape>(
  shape: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodMiniObject<T>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

/** What every API function needs to reach Aurora through the Data API. */
export const databaseEnv = {
  DB_CLUSTER_ARN: z.string().check(z.startsWith('arn:')),
  DB_SECRET_ARN: z.string().check(z.startsWith('arn:')),
  DB_NAME: z.string().check(z.minLength(1)),
};

/** Key that signs pagination cursors, so a tampered cursor is rejected. */
export const cursorEnv = {
  CURSOR_SECRET: z.string().check(z.minLength(32, { error: 'must be at least 32 characters' })),
};

/** The per-period aggregates table (DynamoDB). */
export const aggregatesEnv = {
  SALES_TABLE: z.string().check(z.minLength(1)),
};
