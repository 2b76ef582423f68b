import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseErrorException,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  RollbackTransactionCommand,
  type SqlParameter,
  TransactionNotFoundException,
} from '@aws-sdk/client-rds-data';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../lambdas/shared/errors';
import { DataApiSql, fromField } from '../../lambdas/shared/sql/data-api';
import { ConstraintViolation } from '../../lambdas/shared/sql/port';
import {
  bindParameters,
  type DataApiDouble,
  startDataApiDouble,
  utcTimestamp,
} from '../support/data-api-double';

// The double must answer as the Data API documents, or the contract suite proves nothing: these tests pin its
// wire format (seen through the real RDSDataClient), its transactions and its fault hook.

let pglite: PGlite;
let double: DataApiDouble;

beforeAll(async () => {
  pglite = await PGlite.create();
  double = await startDataApiDouble(pglite);
  await pglite.exec(`
    CREATE TABLE wire (id uuid PRIMARY KEY, label text UNIQUE, payload jsonb, amount numeric, at timestamptz);
  `);
});

afterAll(async () => {
  await double?.close();
  await pglite?.close();
});

afterEach(() => {
  double.clearFaults();
});

/** The error a promise rejected with, as a value (so no rejection goes unhandled while a test awaits). */
const failed = (error: unknown) => error;

function execute(sql: string, input: Partial<ExecuteStatementCommandInput> = {}) {
  return double.client.send(new ExecuteStatementCommand({ ...double.target, sql, ...input }));
}

describe('Data API double: records in the documented wire format', () => {
  it('maps each PostgreSQL type to its Field member', async () => {
    const output = await execute(
      `SELECT 7::int2 AS i2, 42::int4 AS i4, 9007199254740991::int8 AS i8, 0.5::float8 AS f8,
              '12345678901234567890.123456789'::numeric AS dec, true AS yes, false AS no,
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, 'Zoë''s "car"'::text AS txt,
              'FR'::char(3) AS country, '2024-02-29'::date AS day,
              '2024-03-10 23:30:00.123456+02'::timestamptz AS at, '2024-03-10 08:00:00'::timestamp AS local,
              '{"a": [1, "x"]}'::jsonb AS doc, '{"b":true}'::json AS raw_doc, '\\x0102ff'::bytea AS bytes,
              NULL::text AS nothing`,
      { includeResultMetadata: true },
    );

    expect(output.numberOfRecordsUpdated).toBe(0);
    expect(output.records).toEqual([
      [
        { longValue: 7 },
        { longValue: 42 },
        { longValue: 9007199254740991 },
        { doubleValue: 0.5 },
        { stringValue: '12345678901234567890.123456789' },
        { booleanValue: true },
        { booleanValue: false },
        { stringValue: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
        { stringValue: 'Zoë\'s "car"' },
        { stringValue: 'FR ' },
        { stringValue: '2024-02-29' },
        { stringValue: '2024-03-10 21:30:00.123456' },
        { stringValue: '2024-03-10 08:00:00' },
        { stringValue: '{"a": [1, "x"]}' },
        { stringValue: '{"b":true}' },
        { blobValue: new Uint8Array([1, 2, 255]) },
        { isNull: true },
      ],
    ]);
    expect(
      output.columnMetadata?.map(({ name, label, typeName, type }) => ({ name, label, typeName, type })),
    ).toEqual([
      { name: 'i2', label: 'i2', typeName: 'int2', type: 5 },
      { name: 'i4', label: 'i4', typeName: 'int4', type: 4 },
      { name: 'i8', label: 'i8', typeName: 'int8', type: -5 },
      { name: 'f8', label: 'f8', typeName: 'float8', type: 8 },
      { name: 'dec', label: 'dec', typeName: 'numeric', type: 2 },
      { name: 'yes', label: 'yes', typeName: 'bool', type: -7 },
      { name: 'no', label: 'no', typeName: 'bool', type: -7 },
      { name: 'id', label: 'id', typeName: 'uuid', type: 1111 },
      { name: 'txt', label: 'txt', typeName: 'text', type: 12 },
      { name: 'country', label: 'country', typeName: 'bpchar', type: 1 },
      { name: 'day', label: 'day', typeName: 'date', type: 91 },
      { name: 'at', label: 'at', typeName: 'timestamptz', type: 93 },
      { name: 'local', label: 'local', typeName: 'timestamp', type: 93 },
      { name: 'doc', label: 'doc', typeName: 'jsonb', type: 1111 },
      { name: 'raw_doc', label: 'raw_doc', typeName: 'json', type: 1111 },
      { name: 'bytes', label: 'bytes', typeName: 'bytea', type: -2 },
      { name: 'nothing', label: 'nothing', typeName: 'text', type: 12 },
    ]);
  });

  it('omits column metadata unless includeResultMetadata is set', async () => {
    const output = await execute('SELECT 1 AS one');

    expect(output.records).toEqual([[{ longValue: 1 }]]);
    expect(output.columnMetadata).toBeUndefined();
  });

  it('answers timestamptz in UTC without a zone, whatever the session time zone', async () => {
    await double.client.send(new BeginTransactionCommand(double.target)).then(async ({ transactionId }) => {
      await execute(`SET LOCAL TimeZone = 'Asia/Kolkata'`, { transactionId });
      const output = await execute(`SELECT '2024-01-01 00:00:00+00'::timestamptz AS at`, { transactionId });
      await double.client.send(new RollbackTransactionCommand({ ...double.target, transactionId }));

      expect(output.records).toEqual([[{ stringValue: '2024-01-01 00:00:00' }]]);
    });
  });

  it('maps arrays to arrayValue by element type', async () => {
    const output = await execute(
      `SELECT ARRAY[1, 2]::int8[] AS longs, ARRAY['a', 'b"c'] AS strings, ARRAY[true, false] AS flags,
              ARRAY[[1.5], [2.5]]::float8[] AS grid`,
      { includeResultMetadata: true },
    );

    expect(output.records).toEqual([
      [
        { arrayValue: { longValues: [1, 2] } },
        { arrayValue: { stringValues: ['a', 'b"c'] } },
        { arrayValue: { booleanValues: [true, false] } },
        { arrayValue: { arrayValues: [{ doubleValues: [1.5] }, { doubleValues: [2.5] }] } },
      ],
    ]);
    expect(output.columnMetadata?.map((column) => column.typeName)).toEqual([
      '_int8',
      '_text',
      '_bool',
      '_float8',
    ]);
  });

  it('honours resultSetOptions and formatRecordsAs JSON', async () => {
    const asNumbers = await execute('SELECT 2.5::numeric AS half, 3::numeric AS whole, 8::int8 AS big', {
      resultSetOptions: { decimalReturnType: 'DOUBLE_OR_LONG', longReturnType: 'STRING' },
    });
    const asJson = await execute(`SELECT 1 AS n, 'x' AS s, NULL::int AS z`, { formatRecordsAs: 'JSON' });

    expect(asNumbers.records).toEqual([[{ doubleValue: 2.5 }, { longValue: 3 }, { stringValue: '8' }]]);
    expect(asJson.records).toBeUndefined();
    expect(JSON.parse(asJson.formattedRecords ?? '')).toEqual([{ n: 1, s: 'x', z: null }]);
  });

  it('counts updated records for statements without a result set, and reports 0 with RETURNING', async () => {
    const inserted = await execute(
      `INSERT INTO wire (id, label) SELECT gen_random_uuid(), 'count-' || n FROM generate_series(1, 3) AS n`,
    );
    const returning = await execute(`DELETE FROM wire WHERE label LIKE 'count-%' RETURNING label`);

    expect(inserted).toMatchObject({ numberOfRecordsUpdated: 3, generatedFields: [] });
    expect(inserted.records).toBeUndefined();
    expect(returning.numberOfRecordsUpdated).toBe(0);
    expect(returning.records).toHaveLength(3);
  });
});

describe('Data API double: parameters typed as the Data API types them', () => {
  const param = (name: string, value: SqlParameter['value'], typeHint?: SqlParameter['typeHint']) =>
    ({ name, value, typeHint }) as SqlParameter;

  it('sends a stringValue as varchar, so a uuid column needs a cast or a typeHint, as on Aurora', async () => {
    const id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

    const uncast = await execute('SELECT id FROM wire WHERE id = :id', {
      parameters: [param('id', { stringValue: id })],
    }).catch(failed);
    const cast = await execute('SELECT id FROM wire WHERE id = :id::uuid', {
      parameters: [param('id', { stringValue: id })],
    });
    const hinted = await execute('SELECT id FROM wire WHERE id = :id', {
      parameters: [param('id', { stringValue: id }, 'UUID')],
    });

    expect(uncast).toBeInstanceOf(DatabaseErrorException);
    expect((uncast as Error).message).toMatch(
      /^ERROR: operator does not exist: uuid = character varying\n[\s\S]*; SQLState: 42883$/,
    );
    expect(cast.records).toEqual([]);
    expect(hinted.records).toEqual([]);
  });

  it('types longValue as int8, doubleValue as float8, booleanValue as bool and isNull as unknown', async () => {
    const output = await execute(
      'SELECT pg_typeof(:l)::text AS l, pg_typeof(:d)::text AS d, pg_typeof(:b)::text AS b, :n::int AS n',
      {
        parameters: [
          param('l', { longValue: 1 }),
          param('d', { doubleValue: 1.5 }),
          param('b', { booleanValue: true }),
          param('n', { isNull: true }),
        ],
      },
    );

    expect(output.records).toEqual([
      [
        { stringValue: 'bigint' },
        { stringValue: 'double precision' },
        { stringValue: 'boolean' },
        { isNull: true },
      ],
    ]);
  });

  it('stores JSON, DECIMAL and TIMESTAMP type hints into jsonb, numeric and timestamptz columns', async () => {
    const id = '5d1b6a0e-4c5d-4b7e-9a0f-0f6a3c2b1d00';

    await execute('INSERT INTO wire (id, payload, amount, at) VALUES (:id, :payload, :amount, :at)', {
      parameters: [
        param('id', { stringValue: id }, 'UUID'),
        param('payload', { stringValue: '{"ok":true}' }, 'JSON'),
        param('amount', { stringValue: '0.10' }, 'DECIMAL'),
        param('at', { stringValue: '2024-05-01 12:00:00.250' }, 'TIMESTAMP'),
      ],
    });
    const output = await execute('SELECT payload, amount, at FROM wire WHERE id = :id::uuid', {
      parameters: [param('id', { stringValue: id })],
    });

    expect(output.records).toEqual([
      [{ stringValue: '{"ok": true}' }, { stringValue: '0.10' }, { stringValue: '2024-05-01 12:00:00.25' }],
    ]);
  });

  it('refuses array parameters and placeholders without a value', async () => {
    const array = await execute('SELECT :a AS a', {
      parameters: [param('a', { arrayValue: { longValues: [1] } })],
    }).catch(failed);
    const missing = await execute('SELECT :a AS a').catch(failed);

    expect(array).toMatchObject({
      name: 'BadRequestException',
      message: 'Array parameters are not supported.',
    });
    expect(missing).toMatchObject({ name: 'BadRequestException' });
  });

  it('rewrites placeholders but not casts, quoted text, identifiers, dollar quotes or comments', () => {
    const sql = `SELECT :a::int, ':b', ":c", $$ :d $$, $x$ :e $x$ -- :f
      /* :g */, :a AS again`;

    const bound = bindParameters(sql, [{ name: 'a', value: { longValue: 1 } }]);

    expect(bound.text).toBe(`SELECT $1::int, ':b', ":c", $$ :d $$, $x$ :e $x$ -- :f
      /* :g */, $2 AS again`);
    expect(bound.values).toEqual(['1', '1']);
  });

  it('normalizes timestamptz text with any offset to UTC, keeping the microseconds', () => {
    expect(utcTimestamp('2024-03-10 23:30:00.123456+02')).toBe('2024-03-10 21:30:00.123456');
    expect(utcTimestamp('2024-03-10 01:00:00-05:30')).toBe('2024-03-10 06:30:00');
    expect(utcTimestamp('infinity')).toBe('infinity');
  });
});

describe('Data API double: transactions', () => {
  it('keeps uncommitted writes inside the transaction and makes other statements wait for its end', async () => {
    const { transactionId } = await double.client.send(new BeginTransactionCommand(double.target));
    await execute(`INSERT INTO wire (id, label) VALUES (gen_random_uuid(), 'tx-wait')`, { transactionId });
    const inside = await execute(`SELECT count(*) AS n FROM wire WHERE label = 'tx-wait'`, { transactionId });

    let outsideDone = false;
    const outside = execute(`SELECT count(*) AS n FROM wire WHERE label = 'tx-wait'`).then((output) => {
      outsideDone = true;
      return output;
    });
    await double.whenWaiting(1); // the outside statement reached the double and waits for the lock
    expect(outsideDone).toBe(false);
    const commit = await double.client.send(
      new CommitTransactionCommand({
        resourceArn: double.target.resourceArn,
        secretArn: double.target.secretArn,
        transactionId,
      }),
    );

    expect(inside.records).toEqual([[{ longValue: 1 }]]);
    expect(commit.transactionStatus).toBe('Transaction Committed');
    expect((await outside).records).toEqual([[{ longValue: 1 }]]);
    expect(double.openTransactionId()).toBeUndefined();
  });

  it('rolls back, and answers TransactionNotFoundException for a finished or unknown transaction', async () => {
    const { transactionId } = await double.client.send(new BeginTransactionCommand(double.target));
    await execute(`INSERT INTO wire (id, label) VALUES (gen_random_uuid(), 'tx-rolled-back')`, {
      transactionId,
    });
    const rollback = await double.client.send(
      new RollbackTransactionCommand({ ...double.target, transactionId }),
    );

    const late = await execute('SELECT 1', { transactionId }).catch(failed);
    const unknown = await execute('SELECT 1', { transactionId: 'not-a-transaction' }).catch(failed);
    const count = await execute(`SELECT count(*) AS n FROM wire WHERE label = 'tx-rolled-back'`);

    expect(rollback.transactionStatus).toBe('Rollback Complete');
    expect(late).toBeInstanceOf(TransactionNotFoundException);
    expect(unknown).toBeInstanceOf(TransactionNotFoundException);
    expect(count.records).toEqual([[{ longValue: 0 }]]);
  });

  it('rolls back a transaction left idle past its timeout', async () => {
    const shortLived = await startDataApiDouble(pglite, { transactionTimeoutMs: 30 });
    try {
      const { transactionId } = await shortLived.client.send(new BeginTransactionCommand(shortLived.target));
      await shortLived.whenExpired(transactionId ?? '');

      const late = await shortLived.client
        .send(new ExecuteStatementCommand({ ...shortLived.target, sql: 'SELECT 1', transactionId }))
        .catch(failed);
      const free = await execute('SELECT 1 AS free');

      expect(late).toBeInstanceOf(TransactionNotFoundException);
      expect(free.records).toEqual([[{ longValue: 1 }]]);
    } finally {
      await shortLived.close();
    }
  });

  it('runs BatchExecuteStatement once per parameter set', async () => {
    const output = await double.client.send(
      new BatchExecuteStatementCommand({
        ...double.target,
        sql: `INSERT INTO wire (id, label) VALUES (gen_random_uuid(), :label)`,
        parameterSets: [
          [{ name: 'label', value: { stringValue: 'batch-1' } }],
          [{ name: 'label', value: { stringValue: 'batch-2' } }],
        ],
      }),
    );
    const count = await execute(`SELECT count(*) AS n FROM wire WHERE label LIKE 'batch-%'`);

    expect(output.updateResults).toHaveLength(2);
    expect(count.records).toEqual([[{ longValue: 2 }]]);
  });

  it('commits a batch outside a transaction all together or not at all', async () => {
    const failure = await double.client
      .send(
        new BatchExecuteStatementCommand({
          ...double.target,
          sql: `INSERT INTO wire (id, label) VALUES (gen_random_uuid(), :label)`,
          parameterSets: [
            [{ name: 'label', value: { stringValue: 'atomic-1' } }],
            [{ name: 'label', value: { stringValue: 'atomic-1' } }],
          ],
        }),
      )
      .catch(failed);
    const count = await execute(`SELECT count(*) AS n FROM wire WHERE label = 'atomic-1'`);

    expect(failure).toBeInstanceOf(DatabaseErrorException);
    expect(count.records).toEqual([[{ longValue: 0 }]]);
  });
});

describe('Data API double: errors and injected faults', () => {
  it('answers PostgreSQL errors as DatabaseErrorException with the SQLState in the message', async () => {
    await execute(`INSERT INTO wire (id, label) VALUES (gen_random_uuid(), 'dup')`);

    const duplicate = await execute(`INSERT INTO wire (id, label) VALUES (gen_random_uuid(), 'dup')`).catch(
      failed,
    );

    expect(duplicate).toBeInstanceOf(DatabaseErrorException);
    expect((duplicate as Error).message).toMatch(
      /^ERROR: duplicate key value violates unique constraint "wire_label_key"\n {2}Detail: Key \(label\)=\(dup\) already exists\.; SQLState: 23505$/,
    );
  });

  it('rejects a request for another cluster, secret or database', async () => {
    const wrongDatabase = await execute('SELECT 1', { database: 'other' }).catch(failed);
    const wrongCluster = await execute('SELECT 1', {
      resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:other',
    }).catch(failed);

    expect(wrongDatabase).toMatchObject({
      message: expect.stringMatching(/database "other" does not exist/),
    });
    expect(wrongCluster).toMatchObject({ name: 'BadRequestException' });
  });

  it.each([
    ['ServiceUnavailableError', 503],
    ['DatabaseUnavailableException', 504],
    ['StatementTimeoutException', 400],
    ['InternalServerErrorException', 500],
    ['ThrottlingException', 400],
  ])(
    'answers an injected %s with HTTP %i, which DataApiSql maps to UnavailableError',
    async (type, status) => {
      const sql = new DataApiSql(double.client, double.target);
      double.failNext(type);

      const failure = await sql.query('SELECT 1 AS one').catch(failed);
      const next = await sql.query('SELECT 1 AS one');

      expect(failure).toBeInstanceOf(UnavailableError);
      expect(
        (failure as Error & { cause: { name: string; $metadata: { httpStatusCode: number } } }).cause,
      ).toMatchObject({
        name: type,
        $metadata: { httpStatusCode: status },
      });
      expect(next.rows).toEqual([{ one: 1 }]);
    },
  );

  it('maps a refused login (a rotating password, SQLSTATE class 28) to UnavailableError, not a bug', async () => {
    const sql = new DataApiSql(double.client, double.target);
    double.failNext('BadRequestException', {
      message: 'FATAL: password authentication failed for user "fn_sales"; SQLState: 28P01',
    });

    const failure = await sql.query('SELECT 1 AS one').catch(failed);

    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error & { cause: { name: string } }).cause).toMatchObject({
      name: 'BadRequestException',
    });
  });

  it('retries 503s through the SDK, and a resuming cluster (a 400 the SDK gives up on) in the adapter', async () => {
    const retrying = await startDataApiDouble(pglite, { clientConfig: { maxAttempts: 4 } });
    try {
      const sql = new DataApiSql(retrying.client, retrying.target);
      retrying.failNext('ServiceUnavailableError', { times: 2 });
      const afterOutage = await sql.query('SELECT 1 AS one');
      const outageAttempts = retrying.calls.length;
      retrying.failNext('DatabaseResumingException', { times: 2 });
      const afterResume = await sql.query('SELECT 1 AS one');
      const resumingAttempts = retrying.calls.length - outageAttempts;

      expect(afterOutage.rows).toEqual([{ one: 1 }]);
      expect(outageAttempts).toBe(3);
      expect(afterResume.rows).toEqual([{ one: 1 }]);
      expect(resumingAttempts).toBe(3); // two refused while resuming, then answered
    } finally {
      await retrying.close();
    }
  });

  it('fails only the targeted operation, and can fail after the work was done', async () => {
    const sql = new DataApiSql(double.client, double.target);
    double.failNext('ServiceUnavailableError', { operation: 'CommitTransaction', afterExecution: true });

    const failure = await sql
      .transaction((tx) => tx.query(`INSERT INTO wire (id, label) VALUES (gen_random_uuid(), 'lost-ack')`))
      .catch(failed);
    const { rows } = await sql.query(`SELECT count(*) AS n FROM wire WHERE label = 'lost-ack'`);

    expect(failure).toBeInstanceOf(UnavailableError);
    expect(rows).toEqual([{ n: 1 }]); // committed, though the caller was told otherwise
    expect(double.openTransactionId()).toBeUndefined();
  });

  it('fails every matching request with failWhen until the rule is removed', async () => {
    const sql = new DataApiSql(double.client, double.target);
    const remove = double.failWhen((call) =>
      String(call.input.sql).includes('flaky') ? { type: 'ServiceUnavailableError' } : undefined,
    );

    const first = await sql.query(`SELECT 'flaky' AS x`).catch(failed);
    const second = await sql.query(`SELECT 'flaky' AS x`).catch(failed);
    const other = await sql.query(`SELECT 'fine' AS x`);
    remove();
    const afterRemoval = await sql.query(`SELECT 'flaky' AS x`);

    expect(first).toBeInstanceOf(UnavailableError);
    expect(second).toBeInstanceOf(UnavailableError);
    expect(other.rows).toEqual([{ x: 'fine' }]);
    expect(afterRemoval.rows).toEqual([{ x: 'flaky' }]);
  });

  it('keeps SQL errors that are not constraint violations as the SDK raised them', async () => {
    const sql = new DataApiSql(double.client, double.target);

    const failure = await sql.query('SELECT 1 / 0').catch(failed);

    expect(failure).toBeInstanceOf(DatabaseErrorException);
    expect(failure).not.toBeInstanceOf(ConstraintViolation);
  });

  it('records what the adapter sent: typed fields, named parameters and the transaction id', async () => {
    const sql = new DataApiSql(double.client, double.target);
    const before = double.calls.length;

    await sql.transaction((tx) =>
      tx.query('SELECT :s::text AS s, :i::int AS i, :f::float8 AS f, :b::bool AS b, :n::text AS n', {
        s: 'x',
        i: 3,
        f: 0.25,
        b: false,
        n: null,
      }),
    );
    const [begin, statement, commit] = double.calls.slice(before);

    expect([begin?.operation, statement?.operation, commit?.operation]).toEqual([
      'BeginTransaction',
      'ExecuteStatement',
      'CommitTransaction',
    ]);
    expect(statement?.input).toMatchObject({
      includeResultMetadata: true,
      transactionId: expect.any(String),
      parameters: [
        { name: 's', value: { stringValue: 'x' } },
        { name: 'i', value: { longValue: 3 } },
        { name: 'f', value: { doubleValue: 0.25 } },
        { name: 'b', value: { booleanValue: false } },
        { name: 'n', value: { isNull: true } },
      ],
    });
  });
});

describe('DataApiSql.fromField', () => {
  it('normalizes Data API fields by column type name', () => {
    expect(fromField({ stringValue: '2024-03-10 21:30:00.123456' }, 'timestamptz')).toBe(
      '2024-03-10T21:30:00.123Z',
    );
    expect(fromField({ stringValue: '2024-03-10 21:30:00' }, 'timestamp')).toBe('2024-03-10T21:30:00.000Z');
    expect(fromField({ stringValue: '{"a":1}' }, 'jsonb')).toEqual({ a: 1 });
    expect(fromField({ stringValue: '0.10' }, 'numeric')).toBe('0.10');
    expect(fromField({ longValue: 5 }, 'int8')).toBe(5);
    expect(fromField({ isNull: true }, 'uuid')).toBeNull();
  });
});
