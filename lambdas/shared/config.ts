import * as z from 'zod';
import { Currency } from './money';

/** Parses environment variables once, at cold start, and fails fast with every missing or bad one named. */
export function readEnv<T extends z.ZodRawShape>(
  shape: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
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
  DB_CLUSTER_ARN: z.string().startsWith('arn:'),
  DB_SECRET_ARN: z.string().startsWith('arn:'),
  DB_NAME: z.string().min(1),
};

/** Key that signs pagination cursors, so a tampered cursor is rejected. */
export const cursorEnv = {
  CURSOR_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }),
};

/** The per-period aggregates table (DynamoDB). */
export const aggregatesEnv = {
  SALES_TABLE: z.string().min(1),
};

/** Currency of figures when a request names none (ISO 4217). */
export const currencyEnv = {
  REPORTING_CURRENCY: Currency,
};
