/**
 * The one way domain code reaches SQL: named parameters (`:name`) and rows of plain JSON values.
 * Adapters (RDS Data API in AWS, PGlite locally) normalize results so the same SQL text behaves the same:
 * uuid, text → string; numeric → decimal string; date → `YYYY-MM-DD`; timestamptz → ISO 8601 UTC string;
 * int2/int4/int8 → number; bool → boolean; json/jsonb → parsed value; NULL → null.
 * Parameters are strings, finite numbers, booleans or null; SQL casts them (`:id::uuid`, `:price::numeric`).
 */
export type SqlParam = string | number | boolean | null;
export type SqlParams = Record<string, SqlParam>;
export type Row = Record<string, unknown>;

export interface SqlResult<R extends object = Row> {
  rows: R[];
  /** Rows inserted, updated or deleted. */
  affected: number;
}

export interface Sql {
  query<R extends object = Row>(text: string, params?: SqlParams): Promise<SqlResult<R>>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/**
 * An adapter with every statement timed, inside transactions too: `observe` gets each statement's milliseconds,
 * failed ones included. Applied once where an adapter is built, so every adapter is measured alike.
 */
export class ObservedSql implements Sql {
  constructor(
    private readonly sql: Sql,
    private readonly observe: (ms: number) => void,
  ) {}

  async query<R extends object = Row>(text: string, params?: SqlParams): Promise<SqlResult<R>> {
    const started = performance.now();
    try {
      return await this.sql.query<R>(text, params);
    } finally {
      this.observe(performance.now() - started);
    }
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(new ObservedSql(tx, this.observe)));
  }
}

/** A unique or foreign-key constraint stopped the statement; `constraint` names it when the engine says. */
export class ConstraintViolation extends Error {
  constructor(
    readonly kind: 'unique' | 'foreign-key' | 'check',
    readonly constraint: string | undefined,
    options?: ErrorOptions,
  ) {
    super(`${kind} constraint ${constraint ?? ''} violated`.replace('  ', ' '), options);
    this.name = 'ConstraintViolation';
  }
}

const PG_CONSTRAINT_CODES: Record<string, ConstraintViolation['kind']> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '23001': 'foreign-key', // restrict_violation: ON DELETE RESTRICT
  '23514': 'check',
};

/** Maps a PostgreSQL SQLSTATE (and constraint name, when known) to a ConstraintViolation, else undefined. */
export function constraintViolation(
  code: string | undefined,
  constraint: string | undefined,
  cause: unknown,
) {
  const kind = code ? PG_CONSTRAINT_CODES[code] : undefined;
  return kind ? new ConstraintViolation(kind, constraint, { cause }) : undefined;
}

/** The row an `INSERT/UPDATE ... RETURNING` must have produced. */
export function returnedRow<T>(rows: T[]): T {
  const [row] = rows;
  if (!row) throw new Error('Expected a row from RETURNING');
  return row;
}
