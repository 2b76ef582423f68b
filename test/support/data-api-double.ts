/**
 * A local stand-in for the RDS Data API, backed by PGlite, for tests.
 *
 * It is a real HTTP server speaking the Data API's REST-JSON protocol (`POST /Execute`, `/BatchExecute`,
 * `/BeginTransaction`, `/CommitTransaction`, `/RollbackTransaction`), so the real `RDSDataClient` talks to it:
 * the SDK's request serialization, SigV4 signing, response and error deserialization all run as in AWS.
 *
 * What it reproduces from the Data API on Aurora PostgreSQL (see the AWS API reference, `ExecuteStatement`,
 * `SqlParameter`, `Field`, `ColumnMetadata`):
 * - parameters: `:name` placeholders, typed like the Data API types them (its JDBC driver sends a `stringValue`
 *   as varchar, `longValue` as int8, `doubleValue` as float8, `booleanValue` as bool, `isNull` untyped), so SQL
 *   that forgets a cast (`id = :id` on a uuid column) fails here as it fails on Aurora; `typeHint` (UUID,
 *   DECIMAL, DATE, TIME, TIMESTAMP, JSON) types a string; array parameters are refused.
 * - records: bool → `booleanValue`; int2/int4/int8/oid → `longValue`; float4/float8 → `doubleValue`;
 *   numeric → `stringValue` (exact); date → `YYYY-MM-DD`; timestamp → `YYYY-MM-DD HH:MM:SS[.ffffff]`;
 *   timestamptz → the same in UTC, with no zone; json/jsonb → JSON text; bytea → `blobValue`; arrays →
 *   `arrayValue`; everything else (uuid, text, varchar, bpchar, interval…) → `stringValue`; NULL → `isNull`.
 *   `resultSetOptions` (`decimalReturnType`, `longReturnType`) and `formatRecordsAs: 'JSON'` are honoured.
 * - `columnMetadata` (with `includeResultMetadata`): `name`, `label`, `typeName` (PostgreSQL's, e.g. `int4`,
 *   `timestamptz`, `_int4`), `type` (the JDBC `java.sql.Types` code), `isSigned`, `isCaseSensitive`…
 * - `numberOfRecordsUpdated`: rows inserted/updated/deleted for statements without a result set; 0 when the
 *   statement returns rows (including `INSERT … RETURNING`), as the Data API reports.
 * - errors: `{ message }` with the `x-amzn-errortype` header and the modelled HTTP status; SQL errors are
 *   `DatabaseErrorException` with PostgreSQL's text, e.g.
 *   `ERROR: duplicate key value violates unique constraint "x"\n  Detail: …; SQLState: 23505`.
 * - transactions: `BeginTransaction` returns an id; statements carrying it run in that transaction; unknown or
 *   finished ids get `TransactionNotFoundException`; a transaction idle for `transactionTimeoutMs` (3 minutes, as
 *   in AWS) is rolled back.
 *
 * What it cannot reproduce: PGlite is ONE connection. An open transaction holds an exclusive lock (shared by every
 * double over the same PGlite), so statements outside it (other "connections") wait until it ends, where Aurora
 * would run them concurrently under MVCC. Code that, inside a transaction, calls the database outside it deadlocks
 * here (and on PgliteSql alike). Do not query the PGlite directly while a Data API transaction is open: your
 * statement would run inside it.
 * Precision/scale/nullability in `columnMetadata` are not computed; `typeName` of serial columns is their base
 * type (`int4`), where the JDBC driver may say `serial`.
 *
 * Faults: `failNext(type)` and `failWhen(predicate)` answer the next matching request with a Data API exception
 * (`DatabaseResumingException`, `ServiceUnavailableError`, `StatementTimeoutException`…), before or after the
 * statement runs, for reliability tests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RDSDataClient, type RDSDataClientConfig } from '@aws-sdk/client-rds-data';
import { type PGlite, types } from '@electric-sql/pglite';
import type { DataApiTarget } from '../../lambdas/shared/sql/data-api';
import { replacePlaceholders } from '../../lambdas/shared/sql/lexer';

export type DataApiOperation =
  | 'ExecuteStatement'
  | 'BatchExecuteStatement'
  | 'BeginTransaction'
  | 'CommitTransaction'
  | 'RollbackTransaction';

/** One request as the double received it (the JSON body the SDK sent). */
export interface DataApiCall {
  operation: DataApiOperation;
  input: Record<string, unknown>;
}

/** An exception the double answers with instead of (or after) doing the work. */
export interface DataApiFault {
  /** The Data API exception name, e.g. `DatabaseResumingException`, `ServiceUnavailableError`. */
  type: string;
  message?: string;
  /** Defaults to the status the Data API model gives the exception (e.g. 503 for ServiceUnavailableError). */
  status?: number;
  /** Run the request first, then fail: the work happened but the caller never hears of it. */
  afterExecution?: boolean;
}

export interface FailNextOptions extends Omit<DataApiFault, 'type'> {
  /** Only requests of this operation (default: any). */
  operation?: DataApiOperation;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface DataApiDoubleOptions {
  target?: Partial<DataApiTarget>;
  /** Overrides for the RDSDataClient; the default makes one attempt (no SDK retries) so faults are visible. */
  clientConfig?: RDSDataClientConfig;
  /** A transaction idle this long is rolled back (AWS: 3 minutes). */
  transactionTimeoutMs?: number;
}

export interface DataApiDouble {
  /** A real RDSDataClient pointed at the double. */
  client: RDSDataClient;
  target: DataApiTarget;
  endpoint: string;
  /** Every request received, in order. */
  calls: DataApiCall[];
  failNext(type: string, options?: FailNextOptions): void;
  /** Fails every request for which `predicate` returns a fault; returns a function that removes the rule. */
  failWhen(predicate: (call: DataApiCall) => DataApiFault | undefined): () => void;
  clearFaults(): void;
  /** The id of the transaction in progress, if any. */
  openTransactionId(): string | undefined;
  /** Rolls back an open transaction, stops the server and the client; the PGlite stays open (it is yours). */
  close(): Promise<void>;
}

// HTTP statuses of the Data API's modelled exceptions (from the service model, as in the SDK's schema).
const STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  BadRequestException: 400,
  DatabaseErrorException: 400,
  DatabaseNotFoundException: 404,
  DatabaseResumingException: 400,
  DatabaseUnavailableException: 504,
  ForbiddenException: 403,
  HttpEndpointNotEnabledException: 400,
  InternalServerErrorException: 500,
  InvalidResourceStateException: 400,
  InvalidSecretException: 400,
  NotFoundException: 404,
  SecretsErrorException: 400,
  ServiceUnavailableError: 503,
  StatementTimeoutException: 400,
  ThrottlingException: 400,
  TransactionNotFoundException: 404,
  UnsupportedResultException: 400,
};

const DEFAULT_MESSAGE: Record<string, string> = {
  DatabaseResumingException:
    'The Aurora DB instance db-double is resuming after being auto-paused. Please wait a few seconds and try again.',
  DatabaseUnavailableException: 'The database is unavailable',
  ServiceUnavailableError: 'Service Unavailable',
  StatementTimeoutException: 'The statement timed out',
  InternalServerErrorException: 'Internal Server Error',
  ThrottlingException: 'Rate exceeded',
};

const ROUTES: Record<string, DataApiOperation> = {
  '/Execute': 'ExecuteStatement',
  '/BatchExecute': 'BatchExecuteStatement',
  '/BeginTransaction': 'BeginTransaction',
  '/CommitTransaction': 'CommitTransaction',
  '/RollbackTransaction': 'RollbackTransaction',
};

interface Rule {
  match: (call: DataApiCall) => DataApiFault | undefined;
}

class Fault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = STATUS[type] ?? 400,
  ) {
    super(message);
  }
}

/** Starts the double on 127.0.0.1 (a free port) over `pglite`, which it uses as the database. */
export async function startDataApiDouble(
  pglite: PGlite,
  options: DataApiDoubleOptions = {},
): Promise<DataApiDouble> {
  const target: DataApiTarget = {
    resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:double',
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:double-AbCdEf',
    database: 'cars',
    ...options.target,
  };
  const engine = new Engine(pglite, options.transactionTimeoutMs ?? 180_000);
  const calls: DataApiCall[] = [];
  let rules: Rule[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    try {
      const operation =
        req.method === 'POST' ? ROUTES[new URL(req.url ?? '/', 'http://x').pathname] : undefined;
      if (!operation)
        throw new Fault('UnknownOperationException', `No operation at ${req.method} ${req.url}`, 404);
      if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
        throw new Fault('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      }
      const input = parseJson(body);
      const call: DataApiCall = { operation, input };
      calls.push(call);
      const fault = firstFault(rules, call);
      if (fault && !fault.afterExecution) throw toFault(fault);
      checkTarget(input, target);
      const output = await engine.run(operation, input);
      if (fault) throw toFault(fault);
      send(res, 200, output);
    } catch (error) {
      const fault =
        error instanceof Fault ? error : new Fault('InternalServerErrorException', String(error), 500);
      const payload: Record<string, unknown> = { message: fault.message };
      if (fault.type === 'StatementTimeoutException') payload.dbConnectionId = 1;
      // AWS appends the model namespace to the type; the SDK keeps the part before the colon.
      send(res, fault.status, payload, {
        'x-amzn-errortype': `${fault.type}:http://internal.amazon.com/coral/com.amazon.rdsdataservice/`,
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new RDSDataClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIADATAAPIDOUBLE', secretAccessKey: 'data-api-double' },
    maxAttempts: 1,
    ...options.clientConfig,
  });

  return {
    client,
    target,
    endpoint,
    calls,
    failNext(type, { operation, times = 1, ...fault } = {}) {
      let left = times;
      const rule: Rule = {
        match: (call: DataApiCall) => {
          if (left <= 0 || (operation && call.operation !== operation)) return undefined;
          left -= 1;
          if (left === 0) rules = rules.filter((other) => other !== rule);
          return { type, ...fault };
        },
      };
      rules.push(rule);
    },
    failWhen(predicate) {
      const rule: Rule = { match: predicate };
      rules.push(rule);
      return () => {
        rules = rules.filter((other) => other !== rule);
      };
    },
    clearFaults() {
      rules = [];
    },
    openTransactionId: () => engine.openTransactionId(),
    async close() {
      client.destroy();
      await engine.abandon();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** The fault of the first rule that matches (later rules are not consulted, so their counts stay put). */
function firstFault(rules: Rule[], call: DataApiCall): DataApiFault | undefined {
  for (const rule of [...rules]) {
    const fault = rule.match(call);
    if (fault) return fault;
  }
  return undefined;
}

function toFault({ type, message, status }: DataApiFault): Fault {
  return new Fault(type, message ?? DEFAULT_MESSAGE[type] ?? type, status);
}

function checkTarget(input: Record<string, unknown>, target: DataApiTarget) {
  if (input.resourceArn !== target.resourceArn) {
    throw new Fault('BadRequestException', `Database cluster ${String(input.resourceArn)} was not found`);
  }
  if (input.secretArn !== target.secretArn) {
    throw new Fault('BadRequestException', `Secret ${String(input.secretArn)} was not found`);
  }
  const database = input.database;
  if (database !== undefined && database !== target.database) {
    throw new Fault('DatabaseErrorException', `FATAL: database "${String(database)}" does not exist`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Execution on PGlite: one connection, an exclusive lock held by the open transaction.

interface WireArray {
  booleanValues?: boolean[];
  longValues?: number[];
  doubleValues?: number[];
  stringValues?: string[];
  arrayValues?: WireArray[];
}

interface WireField {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: WireArray;
}

interface WireParameter {
  name?: string;
  value?: WireField;
  typeHint?: string;
}

interface ResultSetOptions {
  decimalReturnType?: 'STRING' | 'DOUBLE_OR_LONG';
  longReturnType?: 'STRING' | 'LONG';
}

interface OpenTransaction {
  id: string;
  release: () => void;
  timer: NodeJS.Timeout;
}

// One lock per PGlite: several doubles (clients) over one database share its single connection.
const LOCKS = new WeakMap<PGlite, Lock>();

class Engine {
  private readonly lock: Lock;
  private readonly types = new TypeCatalog();
  private readonly rawParsers: Record<number, (value: string) => string>;
  private open?: OpenTransaction;

  constructor(
    private readonly pglite: PGlite,
    private readonly transactionTimeoutMs: number,
  ) {
    this.lock = LOCKS.get(pglite) ?? new Lock();
    LOCKS.set(pglite, this.lock);
    // Every type PGlite would parse comes back as PostgreSQL's text: the double does the Data API's mapping.
    const known = (pglite as unknown as { parsers?: Record<string, unknown> }).parsers ?? {};
    this.rawParsers = Object.fromEntries(
      [...Object.keys(known), ...Object.keys(types.parsers)].map((oid) => [
        Number(oid),
        (value: string) => value,
      ]),
    );
  }

  openTransactionId() {
    return this.open?.id;
  }

  async run(operation: DataApiOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (operation) {
      case 'BeginTransaction':
        return { transactionId: await this.begin() };
      case 'CommitTransaction':
        await this.end(input.transactionId, 'COMMIT');
        return { transactionStatus: 'Transaction Committed' };
      case 'RollbackTransaction':
        await this.end(input.transactionId, 'ROLLBACK');
        return { transactionStatus: 'Rollback Complete' };
      case 'ExecuteStatement':
        return this.inScope(input.transactionId, () => this.execute(input));
      case 'BatchExecuteStatement':
        return this.inScope(input.transactionId, () => this.batch(input, input.transactionId == null));
    }
  }

  /** Rolls back the open transaction (if any) so PGlite is left clean. */
  async abandon() {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    clearTimeout(open.timer);
    await this.pglite.query('ROLLBACK').catch(() => undefined);
    open.release();
  }

  private async begin(): Promise<string> {
    const release = await this.lock.acquire();
    try {
      await this.pglite.query('BEGIN');
    } catch (error) {
      release();
      throw sqlFault(error);
    }
    const id = randomBytes(48).toString('base64');
    this.open = { id, release, timer: this.expiry(id) };
    return id;
  }

  private async end(transactionId: unknown, command: 'COMMIT' | 'ROLLBACK') {
    const open = this.current(transactionId);
    this.open = undefined;
    clearTimeout(open.timer);
    try {
      // A COMMIT after a failed statement rolls back, as PostgreSQL does.
      await this.pglite.query(command);
    } catch (error) {
      throw sqlFault(error);
    } finally {
      open.release();
    }
  }

  /** Runs `work` in the given transaction, or alone (autocommit) once no transaction holds the connection. */
  private async inScope<T>(transactionId: unknown, work: () => Promise<T>): Promise<T> {
    if (transactionId !== undefined && transactionId !== null) {
      const open = this.current(transactionId);
      clearTimeout(open.timer);
      try {
        return await work();
      } finally {
        if (this.open === open) open.timer = this.expiry(open.id);
      }
    }
    const release = await this.lock.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  private current(transactionId: unknown): OpenTransaction {
    if (typeof transactionId !== 'string' || this.open?.id !== transactionId) {
      throw new Fault('TransactionNotFoundException', `Transaction ${String(transactionId)} is not found`);
    }
    return this.open;
  }

  private expiry(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.open?.id === id) void this.abandon();
    }, this.transactionTimeoutMs);
    timer.unref();
    return timer;
  }

  private async execute(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const sql = requireString(input, 'sql');
    const parameters = (input.parameters ?? []) as WireParameter[];
    const result = await this.statement(sql, parameters);
    if (result.fields.length === 0) {
      return { numberOfRecordsUpdated: result.affectedRows ?? 0, generatedFields: [] };
    }
    const columns = await Promise.all(result.fields.map((field) => this.types.describe(this.pglite, field)));
    const options = (input.resultSetOptions ?? {}) as ResultSetOptions;
    const records = (result.rows as Array<Array<string | null>>).map((row) =>
      row.map((value, index) => toField(value, columns[index] as Column, options)),
    );
    if (input.formatRecordsAs === 'JSON') {
      const objects = records.map((record) =>
        Object.fromEntries(record.map((field, index) => [columns[index]?.name, fieldToJson(field)])),
      );
      return { formattedRecords: JSON.stringify(objects), numberOfRecordsUpdated: 0 };
    }
    return {
      records,
      ...(input.includeResultMetadata ? { columnMetadata: columns.map(columnMetadata) } : {}),
      numberOfRecordsUpdated: 0,
    };
  }

  /** Runs the statement once per parameter set; outside a transaction, all sets commit together or not at all. */
  private async batch(input: Record<string, unknown>, atomic: boolean): Promise<Record<string, unknown>> {
    const sql = requireString(input, 'sql');
    const sets = (input.parameterSets ?? [[]]) as WireParameter[][];
    const updateResults = [];
    if (atomic) await this.pglite.query('BEGIN');
    try {
      for (const parameters of sets) {
        await this.statement(sql, parameters);
        updateResults.push({ generatedFields: [] });
      }
      if (atomic) await this.pglite.query('COMMIT');
    } catch (error) {
      if (atomic) await this.pglite.query('ROLLBACK');
      throw error;
    }
    return { updateResults };
  }

  private async statement(sql: string, parameters: WireParameter[]) {
    const { text, values, paramTypes } = bindParameters(sql, parameters);
    try {
      return await this.pglite.query<unknown[]>(text, values, {
        rowMode: 'array',
        paramTypes,
        parsers: this.rawParsers,
      });
    } catch (error) {
      throw sqlFault(error);
    }
  }
}

/** A FIFO async mutex. */
class Lock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

/** PostgreSQL's error, worded as the Data API relays it from its JDBC driver. */
function sqlFault(error: unknown): Fault {
  if (error instanceof Fault) return error;
  const pg = error as { message?: string; code?: string; detail?: string; hint?: string; position?: string };
  if (typeof pg?.code !== 'string') {
    return new Fault('InternalServerErrorException', String(pg?.message ?? error), 500);
  }
  const lines = [
    `ERROR: ${pg.message}`,
    pg.detail ? `  Detail: ${pg.detail}` : '',
    pg.hint ? `  Hint: ${pg.hint}` : '',
    pg.position ? `  Position: ${pg.position}` : '',
  ].filter(Boolean);
  return new Fault('DatabaseErrorException', `${lines.join('\n')}; SQLState: ${pg.code}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Parameters: `:name` → `$n`, Data API field → PostgreSQL text value and parameter type.

const OID = {
  unknown: 0,
  bool: 16,
  bytea: 17,
  int8: 20,
  json: 114,
  float8: 701,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  numeric: 1700,
  uuid: 2950,
} as const;

const TYPE_HINTS: Record<string, number> = {
  UUID: OID.uuid,
  DECIMAL: OID.numeric,
  DATE: OID.date,
  TIME: OID.time,
  TIMESTAMP: OID.timestamp,
  JSON: OID.json,
};

export function bindParameters(sql: string, parameters: WireParameter[]) {
  const byName = new Map<string, { value: unknown; type: number }>();
  for (const parameter of parameters) {
    if (!parameter.name) throw new Fault('BadRequestException', 'Parameter name must not be empty');
    byName.set(parameter.name, toParameterValue(parameter));
  }
  const values: unknown[] = [];
  const paramTypes: number[] = [];
  const text = replacePlaceholders(sql, (name) => {
    const parameter = byName.get(name);
    if (!parameter) throw new Fault('BadRequestException', `No value specified for parameter: ${name}`);
    values.push(parameter.value);
    paramTypes.push(parameter.type);
    return `$${values.length}`;
  });
  return { text, values, paramTypes };
}

function toParameterValue({ name, value = {}, typeHint }: WireParameter): { value: unknown; type: number } {
  if (value.arrayValue !== undefined)
    throw new Fault('BadRequestException', 'Array parameters are not supported.');
  if (value.isNull) return { value: null, type: OID.unknown };
  if (value.stringValue !== undefined) {
    if (typeHint === undefined) return { value: value.stringValue, type: OID.varchar };
    const type = TYPE_HINTS[typeHint];
    if (type === undefined)
      throw new Fault('BadRequestException', `Invalid typeHint ${typeHint} for ${name}`);
    return { value: value.stringValue, type };
  }
  if (value.longValue !== undefined) return { value: String(value.longValue), type: OID.int8 };
  if (value.doubleValue !== undefined) return { value: String(value.doubleValue), type: OID.float8 };
  if (value.booleanValue !== undefined) return { value: value.booleanValue ? 't' : 'f', type: OID.bool };
  if (value.blobValue !== undefined)
    return { value: Buffer.from(value.blobValue, 'base64'), type: OID.bytea };
  throw new Fault('BadRequestException', `Parameter ${name} has no value`);
}

// ---------------------------------------------------------------------------------------------------------------
// Results: PostgreSQL text → Data API fields and column metadata.

type Kind = 'bool' | 'long' | 'double' | 'decimal' | 'timestamptz' | 'blob' | 'string' | 'array';

interface Column {
  name: string;
  typeName: string;
  /** java.sql.Types, as the Data API's JDBC driver reports it. */
  jdbcType: number;
  kind: Kind;
  element?: Column;
}

// oid → [typeName, java.sql.Types, kind]
const BUILT_IN: Record<number, [string, number, Kind]> = {
  16: ['bool', -7, 'bool'],
  17: ['bytea', -2, 'blob'],
  18: ['char', 1, 'string'],
  19: ['name', 12, 'string'],
  20: ['int8', -5, 'long'],
  21: ['int2', 5, 'long'],
  23: ['int4', 4, 'long'],
  25: ['text', 12, 'string'],
  26: ['oid', -5, 'long'],
  114: ['json', 1111, 'string'],
  700: ['float4', 7, 'double'],
  701: ['float8', 8, 'double'],
  1042: ['bpchar', 1, 'string'],
  1043: ['varchar', 12, 'string'],
  1082: ['date', 91, 'string'],
  1083: ['time', 92, 'string'],
  1114: ['timestamp', 93, 'string'],
  1184: ['timestamptz', 93, 'timestamptz'],
  1186: ['interval', 1111, 'string'],
  1266: ['timetz', 92, 'string'],
  1700: ['numeric', 2, 'decimal'],
  2278: ['void', 1111, 'string'],
  2950: ['uuid', 1111, 'string'],
  3802: ['jsonb', 1111, 'string'],
};

class TypeCatalog {
  private readonly cache = new Map<number, Omit<Column, 'name'>>();

  async describe(pglite: PGlite, field: { name: string; dataTypeID: number }): Promise<Column> {
    return { name: field.name, ...(await this.type(pglite, field.dataTypeID)) };
  }

  private async type(pglite: PGlite, oid: number): Promise<Omit<Column, 'name'>> {
    const cached = this.cache.get(oid);
    if (cached) return cached;
    const builtIn = BUILT_IN[oid];
    let type: Omit<Column, 'name'>;
    if (builtIn) {
      type = { typeName: builtIn[0], jdbcType: builtIn[1], kind: builtIn[2] };
    } else {
      const { rows } = await pglite.query<{ typname: string; typcategory: string; typelem: number }>(
        'SELECT typname, typcategory, typelem::int AS typelem FROM pg_type WHERE oid = $1',
        [oid],
      );
      const row = rows[0];
      if (row?.typcategory === 'A') {
        const element = { name: '', ...(await this.type(pglite, row.typelem)) };
        type = { typeName: row.typname, jdbcType: 2003, kind: 'array', element };
      } else {
        type = {
          typeName: row?.typname ?? 'unknown',
          jdbcType: row?.typcategory === 'E' ? 12 : 1111,
          kind: 'string',
        };
      }
    }
    this.cache.set(oid, type);
    return type;
  }
}

function toField(value: string | null, column: Column, options: ResultSetOptions): WireField {
  if (value === null) return { isNull: true };
  switch (column.kind) {
    case 'bool':
      return { booleanValue: value === 't' };
    case 'long':
      return options.longReturnType === 'STRING' ? { stringValue: value } : { longValue: Number(value) };
    case 'double':
      return { doubleValue: Number(value) };
    case 'decimal':
      if (options.decimalReturnType !== 'DOUBLE_OR_LONG') return { stringValue: value };
      return /^-?\d+$/.test(value) ? { longValue: Number(value) } : { doubleValue: Number(value) };
    case 'timestamptz':
      return { stringValue: utcTimestamp(value) };
    case 'blob':
      return { blobValue: Buffer.from(value.replace(/^\\x/, ''), 'hex').toString('base64') };
    case 'array':
      return {
        arrayValue: toArrayValue(
          types.arrayParser(value, (item) => item, 0),
          column.element,
        ),
      };
    case 'string':
      return { stringValue: value };
  }
}

function toArrayValue(items: unknown[], element: Column | undefined): WireArray {
  if (items.some(Array.isArray)) {
    return { arrayValues: items.map((item) => toArrayValue(Array.isArray(item) ? item : [item], element)) };
  }
  const strings = items as Array<string | null>;
  switch (element?.kind) {
    case 'bool':
      return { booleanValues: strings.map((item) => item === 't') };
    case 'long':
      return { longValues: strings.map(Number) };
    case 'double':
      return { doubleValues: strings.map(Number) };
    default:
      return {
        stringValues: strings.map((item) =>
          element?.kind === 'timestamptz' && item ? utcTimestamp(item) : item,
        ) as string[],
      };
  }
}

/** `2024-03-10 23:30:00.5+02` → `2024-03-10 21:30:00.5`: the Data API answers timestamptz in UTC, zone dropped. */
export function utcTimestamp(text: string): string {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(
    text,
  );
  if (!match) return text; // infinity, BC dates: passed through
  const [, date, time, fraction = '', sign, hours, minutes = '00', seconds = '00'] = match;
  const offset = (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * (sign === '-' ? -1 : 1);
  const utc = new Date(Date.parse(`${date}T${time}Z`) - offset * 1000).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)}${fraction}`;
}

function columnMetadata(column: Column) {
  const numeric = ['long', 'double', 'decimal'].includes(column.kind);
  return {
    name: column.name,
    label: column.name,
    type: column.jdbcType,
    typeName: column.typeName,
    schemaName: '',
    tableName: '',
    isAutoIncrement: false,
    isSigned: numeric,
    isCurrency: column.typeName === 'money',
    isCaseSensitive: column.kind === 'string' && column.jdbcType !== 1111,
    nullable: 2, // columnNullableUnknown
    precision: 0,
    scale: 0,
    arrayBaseColumnType: column.element?.jdbcType ?? 0,
  };
}

/** A field as `formatRecordsAs: 'JSON'` renders it. */
function fieldToJson(field: WireField): unknown {
  if (field.isNull) return null;
  return (
    field.booleanValue ?? field.longValue ?? field.doubleValue ?? field.stringValue ?? field.blobValue ?? null
  );
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP plumbing.

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = body ? JSON.parse(body) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new Fault('BadRequestException', 'The request body is not a JSON object');
}

function requireString(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value.trim() === '')
    throw new Fault('BadRequestException', `${key} is required`);
  return value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}
