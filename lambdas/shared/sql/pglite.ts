import { type PGlite, type Transaction, types } from '@electric-sql/pglite';
import { toPositional } from './named';
import {
  constraintViolation,
  type Row,
  type Sql,
  type SqlParam,
  type SqlParams,
  type SqlResult,
} from './port';

type Queryable = Pick<PGlite, 'query'> | Transaction;

/** Parsers that make PGlite's results match the port's normalized types (see port.ts). */
export const PGLITE_PARSERS = {
  [types.TIMESTAMPTZ]: (value: string) => new Date(value).toISOString(),
  [types.TIMESTAMP]: (value: string) => new Date(`${value}Z`).toISOString(),
  [types.DATE]: (value: string) => value,
  [types.INT8]: (value: string) => Number(value),
  [types.NUMERIC]: (value: string) => value,
};

/** The SQL port on PGlite: the embedded engine for local runs and tests. */
export class PgliteSql implements Sql {
  constructor(private readonly db: Queryable & Partial<Pick<PGlite, 'transaction'>>) {}

  async query<R extends object = Row>(text: string, params?: SqlParams): Promise<SqlResult<R>> {
    const { text: positional, values } = toPositional(text, params);
    try {
      const result = await this.db.query<R>(positional, values, {
        parsers: PGLITE_PARSERS,
        paramTypes: values.map(dataApiParamType),
      });
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    } catch (error) {
      throw mapPgliteError(error);
    }
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (!this.db.transaction) return work(this); // already inside one: PostgreSQL has no nested transactions
    return this.db.transaction((tx) => work(new PgliteSql(tx)));
  }
}

/**
 * Types a parameter as the Data API does (its driver sends a string as varchar, an integer as int8, a fraction as
 * float8, a boolean as bool, null untyped), so SQL that forgets a cast (`id = :id` on a uuid column) fails here
 * as it fails on Aurora, instead of PostgreSQL inferring the type locally.
 */
function dataApiParamType(value: SqlParam): number {
  if (value === null) return 0;
  switch (typeof value) {
    case 'string':
      return types.VARCHAR;
    case 'boolean':
      return types.BOOL;
    case 'number':
      return Number.isInteger(value) ? types.INT8 : types.FLOAT8;
  }
}

function mapPgliteError(error: unknown): unknown {
  if (error && typeof error === 'object' && 'code' in error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    return constraintViolation(code, constraint, error) ?? error;
  }
  return error;
}
