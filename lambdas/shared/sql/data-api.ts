import {
  BeginTransactionCommand,
  type ColumnMetadata,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type Field,
  type RDSDataClient,
  RDSDataServiceException,
  RollbackTransactionCommand,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { UnavailableError } from '../errors';
import { constraintViolation, type Row, type Sql, type SqlParams, type SqlResult } from './port';

export interface DataApiTarget {
  resourceArn: string;
  secretArn: string;
  database: string;
}

/** The SQL port on the RDS Data API (Aurora in AWS): named parameters go through as they are. */
export class DataApiSql implements Sql {
  constructor(
    private readonly client: RDSDataClient,
    private readonly target: DataApiTarget,
    private readonly transactionId?: string,
  ) {}

  async query<R extends object = Row>(text: string, params: SqlParams = {}): Promise<SqlResult<R>> {
    const output = await guard(() =>
      this.client.send(
        new ExecuteStatementCommand({
          ...this.target,
          sql: text,
          parameters: Object.entries(params).map(([name, value]) => toSqlParameter(name, value)),
          includeResultMetadata: true,
          transactionId: this.transactionId,
        }),
      ),
    );
    const columns = output.columnMetadata ?? [];
    const rows = (output.records ?? []).map((record) => toRow<R>(record, columns));
    // The Data API reports 0 records updated when the statement returns rows (`UPDATE … RETURNING`);
    // then the rows returned are the rows changed, as PostgreSQL (and PGlite) count them.
    const updated = output.numberOfRecordsUpdated ?? 0;
    return { rows, affected: updated || (DATA_MODIFYING.test(text) ? rows.length : 0) };
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.transactionId) return work(this);
    const { resourceArn, secretArn, database } = this.target;
    const { transactionId } = await guard(() =>
      this.client.send(new BeginTransactionCommand({ resourceArn, secretArn, database })),
    );
    if (!transactionId) throw new UnavailableError('The Data API began no transaction');
    try {
      const result = await work(new DataApiSql(this.client, this.target, transactionId));
      await guard(() =>
        this.client.send(new CommitTransactionCommand({ resourceArn, secretArn, transactionId })),
      );
      return result;
    } catch (error) {
      await this.client
        .send(new RollbackTransactionCommand({ resourceArn, secretArn, transactionId }))
        .catch(() => {
          // The transaction expires by itself after 3 minutes; the original error matters more.
        });
      throw error;
    }
  }
}

// A statement that starts with INSERT/UPDATE/DELETE/MERGE (after comments). `WITH … UPDATE … RETURNING` is not
// recognized: its `affected` stays 0 here where PGlite counts the rows.
const DATA_MODIFYING = /^\s*(?:(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)\s*)*(?:insert|update|delete|merge)\b/i;

// Aurora Serverless v2 resuming from zero capacity takes seconds; the SDK does not retry that error itself.
const RESUME_WAITS_MS = [500, 1000, 2000, 4000];

/** Runs a Data API call, waiting out a resuming cluster, and turns its exceptions into the port's errors. */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const wait = RESUME_WAITS_MS[attempt];
      const resuming = error instanceof RDSDataServiceException && error.name === 'DatabaseResumingException';
      if (!resuming || wait === undefined) throw mapDataApiError(error);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function toSqlParameter(name: string, value: SqlParams[string]): SqlParameter {
  if (value === null) return { name, value: { isNull: true } };
  switch (typeof value) {
    case 'string':
      return { name, value: { stringValue: value } };
    case 'boolean':
      return { name, value: { booleanValue: value } };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`SQL parameter :${name} is not a finite number`);
      return { name, value: Number.isInteger(value) ? { longValue: value } : { doubleValue: value } };
  }
}

function toRow<R extends object>(record: Field[], columns: ColumnMetadata[]): R {
  const row: Row = {};
  record.forEach((field, index) => {
    const column = columns[index];
    row[column?.label ?? column?.name ?? `column${index}`] = fromField(field, column?.typeName ?? '');
  });
  return row as R;
}

/** Maps one Data API field to the port's normalized value by the column's PostgreSQL type name. */
export function fromField(field: Field, typeName: string): unknown {
  if (field.isNull) return null;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.stringValue !== undefined) return fromString(field.stringValue, typeName.toLowerCase());
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.arrayValue !== undefined) throw new TypeError('Array columns are not supported by the SQL port');
  return null;
}

function fromString(value: string, typeName: string): unknown {
  switch (typeName) {
    case 'timestamptz':
    case 'timestamp':
      // The Data API answers `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC, with no zone.
      return new Date(
        `${value.replace(' ', 'T')}${/[zZ]|[+-]\d\d(:?\d\d)?$/.test(value) ? '' : 'Z'}`,
      ).toISOString();
    case 'json':
    case 'jsonb':
      return JSON.parse(value);
    case 'int2':
    case 'int4':
    case 'int8':
    case 'serial':
    case 'bigserial':
      return Number(value);
    case 'bool':
      return value === 't' || value === 'true';
    default:
      return value; // uuid, text, varchar, numeric (exact decimal string), date (YYYY-MM-DD)
  }
}

const UNAVAILABLE = new Set([
  'DatabaseResumingException',
  'DatabaseUnavailableException',
  'DatabaseNotFoundException',
  'ServiceUnavailableError',
  'StatementTimeoutException',
  'InternalServerErrorException',
  'ThrottlingException',
]);

function mapDataApiError(error: unknown): unknown {
  if (!(error instanceof RDSDataServiceException)) return error;
  if (UNAVAILABLE.has(error.name))
    return new UnavailableError(`Database unavailable: ${error.name}`, { cause: error });
  // e.g. `ERROR: duplicate key value violates unique constraint "brands_name_key"; SQLState: 23505`
  const sqlState = /SQLState: (\w{5})/.exec(error.message)?.[1];
  // Class 28, invalid authorization: the role's password is changing (secret rotation) — gone in a moment.
  if (sqlState?.startsWith('28'))
    return new UnavailableError('Database login refused; retry shortly', { cause: error });
  const constraint = /constraint "([^"]+)"/.exec(error.message)?.[1];
  return constraintViolation(sqlState, constraint, error) ?? error;
}
