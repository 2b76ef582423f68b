import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Brands } from '../../lambdas/brand/brands';
import { Models } from '../../lambdas/model/models';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../lambdas/shared/errors';
import { measuredSql } from '../../lambdas/shared/metrics';
import { CursorCodec } from '../../lambdas/shared/pagination';
import { DataApiSql } from '../../lambdas/shared/sql/data-api';
import {
  loadMigrations,
  type Migration,
  migrate,
  splitStatements,
} from '../../lambdas/shared/sql/migrations';
import { PgliteSql } from '../../lambdas/shared/sql/pglite';
import { ConstraintViolation, type Sql } from '../../lambdas/shared/sql/port';
import { MIGRATIONS_DIR } from '../../local/engines';
import { startDataApiDouble } from '../support/data-api-double';

// ONE suite, run on both adapters of the SQL port: PgliteSql (local runs, tests) and DataApiSql (AWS), the latter
// through the real RDSDataClient against a Data API double that executes on PGlite and answers in the Data API's
// wire format. Whatever passes here means the same SQL text behaves the same on both. The Data API one is
// measured as awsDataApiSql builds it (statements counted and timed), so the measuring changes nothing either.

interface Engine {
  sql: Sql;
  close(): Promise<void>;
}

async function openPglite(): Promise<Engine> {
  const pglite = await PGlite.create();
  return { sql: new PgliteSql(pglite), close: () => pglite.close() };
}

async function openDataApi(): Promise<Engine> {
  const pglite = await PGlite.create();
  const double = await startDataApiDouble(pglite);
  return {
    sql: measuredSql(new DataApiSql(double.client, double.target)),
    async close() {
      await double.close();
      await pglite.close();
    },
  };
}

const adapters: Array<[name: string, open: () => Promise<Engine>]> = [
  ['PgliteSql (embedded PostgreSQL)', openPglite],
  ['DataApiSql (RDS Data API double on PGlite)', openDataApi],
];

// A scratch table for the value tests, created by a test-only migration (so `migrate` runs it on both adapters).
const CONTRACT_MIGRATION_SCRIPT = `
-- Scratch table for the SQL port contract; a ';' in this comment does not split.
CREATE TABLE contract_values (
  id uuid PRIMARY KEY,
  amount numeric,
  day date,
  at timestamptz,
  flag boolean,
  doc jsonb,
  raw_doc json,
  note text,
  small integer,
  big bigint,
  ratio double precision
);
CREATE FUNCTION contract_shout(word text) RETURNS text LANGUAGE sql AS $$ SELECT upper(word) || '!;' $$;
`;

function contractMigration(): Migration {
  return {
    version: '9000_contract_values',
    checksum: 'contract-v1',
    statements: splitStatements(CONTRACT_MIGRATION_SCRIPT),
  };
}

const failed = (error: unknown) => error;

describe.each(adapters)('SQL port contract on %s', (_name, open) => {
  let engine: Engine;
  let sql: Sql;
  let migrations: Migration[];
  let firstRun: string[];

  beforeAll(async () => {
    engine = await open();
    sql = engine.sql;
    migrations = [...(await loadMigrations(MIGRATIONS_DIR)), contractMigration()];
    firstRun = await migrate(sql, migrations);
  });

  afterAll(async () => {
    await engine?.close();
  });

  async function insertValues(values: Record<string, string | number | boolean | null>) {
    const id = crypto.randomUUID();
    const columns = Object.keys(values);
    await sql.query(
      `INSERT INTO contract_values (id, ${columns.join(', ')})
       VALUES (:id::uuid, ${columns.map((column) => `:${column}${CASTS[column] ?? ''}`).join(', ')})`,
      { id, ...values },
    );
    const { rows } = await sql.query('SELECT * FROM contract_values WHERE id = :id::uuid', { id });
    return rows[0];
  }

  describe('migrations', () => {
    it('applies every migration once, in order', () => {
      expect(firstRun).toEqual(migrations.map((migration) => migration.version));
    });

    it('applies nothing on a second run', async () => {
      const secondRun = await migrate(sql, migrations);

      expect(secondRun).toEqual([]);
    });

    it('refuses to run when an applied migration was edited', async () => {
      const edited = migrations.map((migration, index) =>
        index === 0 ? { ...migration, checksum: `${migration.checksum}-edited` } : migration,
      );

      const failure = await migrate(sql, edited).catch(failed);

      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/was changed after it was applied/);
    });

    it('rolls a failing migration back entirely and does not record it', async () => {
      const broken: Migration = {
        version: '9001_contract_broken',
        checksum: 'broken',
        statements: ['CREATE TABLE contract_half_done (id int)', 'SELECT no_such_function()'],
      };

      const failure = await migrate(sql, [...migrations, broken]).catch(failed);
      const { rows: tables } = await sql.query(`SELECT to_regclass('contract_half_done')::text AS name`);
      const { rows: recorded } = await sql.query(
        'SELECT version FROM schema_migrations WHERE version = :version',
        {
          version: broken.version,
        },
      );

      expect(failure).toBeInstanceOf(Error);
      expect(tables).toEqual([{ name: null }]);
      expect(recorded).toEqual([]);
    });

    it('ran a dollar-quoted function body with semicolons as one statement', async () => {
      const { rows } = await sql.query('SELECT contract_shout(:word) AS shouted', { word: 'vroom' });

      expect(rows).toEqual([{ shouted: 'VROOM!;' }]);
    });
  });

  describe('values', () => {
    it('returns uuid as a lower-case string', async () => {
      const { rows } = await sql.query('SELECT :id::uuid AS id', {
        id: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      });

      expect(rows).toEqual([{ id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' }]);
    });

    it('keeps numeric exact, as a decimal string, with many digits', async () => {
      const row = await insertValues({ amount: '12345678901234567890.123456789' });
      const { rows } = await sql.query('SELECT :amount::numeric * 2 AS doubled, 0.1 + 0.2 AS tenths', {
        amount: '12345678901234567890.123456789',
      });

      expect(row?.amount).toBe('12345678901234567890.123456789');
      expect(rows).toEqual([{ doubled: '24691357802469135780.246913578', tenths: '0.3' }]);
    });

    it('returns date as YYYY-MM-DD', async () => {
      const row = await insertValues({ day: '2024-02-29' });

      expect(row?.day).toBe('2024-02-29');
    });

    it('returns timestamptz as an ISO 8601 UTC string with milliseconds', async () => {
      const withOffset = await insertValues({ at: '2024-03-10T23:30:00.123+02:00' });
      const wholeSecond = await insertValues({ at: '2024-03-10 21:30:00Z' });
      const micro = await insertValues({ at: '2024-03-10 21:30:00.123456+00' });
      const { rows } = await sql.query(`SELECT '2024-01-01 10:00:00'::timestamp AS local`);

      expect(withOffset?.at).toBe('2024-03-10T21:30:00.123Z');
      expect(wholeSecond?.at).toBe('2024-03-10T21:30:00.000Z');
      expect(micro?.at).toBe('2024-03-10T21:30:00.123Z');
      expect(rows).toEqual([{ local: '2024-01-01T10:00:00.000Z' }]);
    });

    it('returns NULL as null for every type, and accepts null parameters', async () => {
      const row = await insertValues({
        amount: null,
        day: null,
        at: null,
        flag: null,
        doc: null,
        raw_doc: null,
        note: null,
        small: null,
        big: null,
        ratio: null,
      });

      expect(row).toEqual({
        id: expect.any(String),
        amount: null,
        day: null,
        at: null,
        flag: null,
        doc: null,
        raw_doc: null,
        note: null,
        small: null,
        big: null,
        ratio: null,
      });
    });

    it('round-trips booleans', async () => {
      const yes = await insertValues({ flag: true });
      const no = await insertValues({ flag: false });
      const { rows } = await sql.query('SELECT :flag AND true AS anded', { flag: true });

      expect([yes?.flag, no?.flag]).toEqual([true, false]);
      expect(rows).toEqual([{ anded: true }]);
    });

    it('returns json and jsonb as parsed values', async () => {
      const doc = { name: 'Zoë', tags: ['a', 1, null], nested: { ok: true, price: 1.5 } };

      const row = await insertValues({ doc: JSON.stringify(doc), raw_doc: JSON.stringify(doc) });
      const { rows } = await sql.query(`SELECT '"just text"'::jsonb AS scalar, '[1,2]'::json AS list`);

      expect(row?.doc).toEqual(doc);
      expect(row?.raw_doc).toEqual(doc);
      expect(rows).toEqual([{ scalar: 'just text', list: [1, 2] }]);
    });

    it('returns int2, int4 and int8 (counts) as numbers, and sum(bigint), a numeric, as a string', async () => {
      const row = await insertValues({ small: 2_147_483_647, big: 9_007_199_254_740_991 });
      const { rows } = await sql.query(
        `SELECT count(*) AS n, count(*)::int AS n4, sum(small::bigint) AS total, 7::smallint AS tiny
         FROM contract_values WHERE small = :small`,
        { small: 2_147_483_647 },
      );

      expect([row?.small, row?.big]).toEqual([2_147_483_647, 9_007_199_254_740_991]);
      expect(rows).toEqual([{ n: 1, n4: 1, total: '2147483647', tiny: 7 }]);
    });

    it('round-trips doubles and sends fractional numbers as doubles', async () => {
      const row = await insertValues({ ratio: 0.1 });
      const { rows } = await sql.query('SELECT :x::float8 * 2 AS twice, :x::numeric AS exact', { x: 1.25 });

      expect(row?.ratio).toBe(0.1);
      expect(rows).toEqual([{ twice: 2.5, exact: '1.25' }]);
    });

    it('round-trips text with unicode, quotes, backslashes and colons', async () => {
      const note = `Citroën "DS" l'été ✓ 🚗 \\n :not_a_param ::also_not $1`;

      const row = await insertValues({ note });

      expect(row?.note).toBe(note);
    });

    it('keeps column aliases as written, including quoted camelCase', async () => {
      const { rows } = await sql.query(`SELECT 1 AS "camelCase", 2 AS snake_case, 3 AS "With Space"`);

      expect(rows).toEqual([{ camelCase: 1, snake_case: 2, 'With Space': 3 }]);
    });

    it('returns no rows as an empty list', async () => {
      const { rows } = await sql.query('SELECT id FROM contract_values WHERE false');

      expect(rows).toEqual([]);
    });
  });

  describe('named parameters', () => {
    it('binds a name used twice to the same value', async () => {
      const { rows } = await sql.query(`SELECT :word AS once, :word || '-' || :word AS twice`, {
        word: 'vroom',
      });

      expect(rows).toEqual([{ once: 'vroom', twice: 'vroom-vroom' }]);
    });

    it('leaves :: casts beside parameters alone', async () => {
      const { rows } = await sql.query(
        `SELECT :n::int + 1 AS next, '5'::int AS five, :d::date::text AS day`,
        {
          n: 41,
          d: '2024-01-31',
        },
      );

      expect(rows).toEqual([{ next: 42, five: 5, day: '2024-01-31' }]);
    });

    it('does not treat :word inside a string literal as a parameter', async () => {
      const { rows } = await sql.query(`SELECT 'at :noon, it''s :late' AS literal, :real AS real`, {
        real: 'yes',
      });

      expect(rows).toEqual([{ literal: "at :noon, it's :late", real: 'yes' }]);
    });

    it('types parameters as the Data API does: varchar, bigint, double precision, boolean', async () => {
      const { rows } = await sql.query(
        'SELECT pg_typeof(:s)::text AS s, pg_typeof(:i)::text AS i, pg_typeof(:f)::text AS f, pg_typeof(:b)::text AS b',
        { s: 'x', i: 1, f: 1.5, b: true },
      );

      expect(rows).toEqual([{ s: 'character varying', i: 'bigint', f: 'double precision', b: 'boolean' }]);
    });

    it('needs a cast to compare a string parameter with a uuid column, as on Aurora', async () => {
      const id = crypto.randomUUID();

      const uncast = await sql.query('SELECT id FROM brands WHERE id = :id', { id }).catch(failed);
      const cast = await sql.query('SELECT id FROM brands WHERE id = :id::uuid', { id });

      expect(uncast).toMatchObject({
        message: expect.stringMatching(/operator does not exist: uuid = character varying/),
      });
      expect(cast.rows).toEqual([]);
    });

    it('fails when a placeholder has no value', async () => {
      const failure = await sql.query('SELECT :missing AS x', {}).catch(failed);

      expect(failure).toBeInstanceOf(Error);
    });
  });

  describe('affected rows', () => {
    it('counts rows inserted, updated and deleted, and 0 for a SELECT', async () => {
      const marker = crypto.randomUUID();

      const inserted = await sql.query(
        `INSERT INTO contract_values (id, note) SELECT gen_random_uuid(), :marker FROM generate_series(1, 3)`,
        { marker },
      );
      const updated = await sql.query('UPDATE contract_values SET flag = true WHERE note = :marker', {
        marker,
      });
      const selected = await sql.query('SELECT id FROM contract_values WHERE note = :marker', { marker });
      const none = await sql.query('DELETE FROM contract_values WHERE note = :other', { other: 'nothing' });
      const deleted = await sql.query('DELETE FROM contract_values WHERE note = :marker', { marker });

      expect([inserted.affected, updated.affected, selected.affected]).toEqual([3, 3, 0]);
      expect([none.affected, deleted.affected]).toEqual([0, 3]);
    });

    it('counts rows changed by a statement with RETURNING', async () => {
      const marker = crypto.randomUUID();

      const inserted = await sql.query(
        `INSERT INTO contract_values (id, note) SELECT gen_random_uuid(), :marker FROM generate_series(1, 2)
         RETURNING id`,
        { marker },
      );
      const updated = await sql.query(
        '/* touch */ UPDATE contract_values SET flag = false WHERE note = :marker RETURNING id',
        { marker },
      );

      expect([inserted.affected, inserted.rows.length]).toEqual([2, 2]);
      expect([updated.affected, updated.rows.length]).toEqual([2, 2]);
    });
  });

  describe('constraint violations', () => {
    it('raises a unique violation with the constraint name', async () => {
      await sql.query(`INSERT INTO brands (name) VALUES ('Contract Unique')`);

      const failure = await sql.query(`INSERT INTO brands (name) VALUES ('CONTRACT UNIQUE')`).catch(failed);

      expect(failure).toBeInstanceOf(ConstraintViolation);
      expect(failure).toMatchObject({ kind: 'unique', constraint: 'brands_name_key' });
    });

    it('raises a foreign-key violation on insert and on delete', async () => {
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO brands (name) VALUES ('Contract FK') RETURNING id`,
      );
      const brandId = rows[0]?.id ?? '';
      await sql.query(`INSERT INTO models (brand_id, name) VALUES (:brandId::uuid, 'Held')`, { brandId });

      const onInsert = await sql
        .query(`INSERT INTO models (brand_id, name) VALUES (:brandId::uuid, 'Orphan')`, {
          brandId: crypto.randomUUID(),
        })
        .catch(failed);
      const onDelete = await sql
        .query('DELETE FROM brands WHERE id = :brandId::uuid', { brandId })
        .catch(failed);

      expect(onInsert).toBeInstanceOf(ConstraintViolation);
      expect(onInsert).toMatchObject({ kind: 'foreign-key', constraint: 'models_brand_id_fkey' });
      expect(onDelete).toBeInstanceOf(ConstraintViolation);
      expect(onDelete).toMatchObject({ kind: 'foreign-key', constraint: 'models_brand_id_fkey' });
    });

    it('raises a check violation with the constraint name', async () => {
      const failure = await sql.query(`INSERT INTO brands (name) VALUES ('')`).catch(failed);

      expect(failure).toMatchObject({ kind: 'check', constraint: 'brands_name_check' });
    });

    it('does not dress other SQL errors as constraint violations', async () => {
      const failure = await sql.query('SELECT 1 / 0 AS boom').catch(failed);

      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(ConstraintViolation);
    });
  });

  describe('transactions', () => {
    const countNotes = async (note: string) => {
      const { rows } = await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM contract_values WHERE note = :note',
        { note },
      );
      return rows[0]?.n;
    };
    const insertNote = (tx: Sql, note: string) =>
      tx.query('INSERT INTO contract_values (id, note) VALUES (gen_random_uuid(), :note)', { note });

    it('commits the work and returns its result', async () => {
      const note = crypto.randomUUID();

      const result = await sql.transaction(async (tx) => {
        await insertNote(tx, note);
        await insertNote(tx, note);
        const { rows } = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM contract_values WHERE note = :note',
          { note },
        );
        return rows[0]?.n;
      });

      expect(result).toBe(2);
      expect(await countNotes(note)).toBe(2);
    });

    it('rolls everything back when the work throws, and rethrows the same error', async () => {
      const note = crypto.randomUUID();
      const boom = new Error('boom');

      const failure = await sql
        .transaction(async (tx) => {
          await insertNote(tx, note);
          throw boom;
        })
        .catch(failed);

      expect(failure).toBe(boom);
      expect(await countNotes(note)).toBe(0);
    });

    it('rolls everything back when a statement fails inside', async () => {
      const note = crypto.randomUUID();

      const failure = await sql
        .transaction(async (tx) => {
          await insertNote(tx, note);
          await tx.query(`INSERT INTO brands (name) VALUES ('')`);
        })
        .catch(failed);

      expect(failure).toBeInstanceOf(ConstraintViolation);
      expect(await countNotes(note)).toBe(0);
    });

    it('reuses the outer transaction when nested', async () => {
      const note = crypto.randomUUID();
      const xact = (tx: Sql) =>
        tx
          .query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')
          .then(({ rows }) => rows[0]?.xid);

      const failure = await sql
        .transaction(async (outer) => {
          const outerXid = await xact(outer);
          const innerXid = await outer.transaction(async (inner) => {
            await insertNote(inner, note);
            return xact(inner);
          });
          expect(innerXid).toBe(outerXid);
          throw new Error('undo the inner work too');
        })
        .catch(failed);

      expect(failure).toMatchObject({ message: 'undo the inner work too' });
      expect(await countNotes(note)).toBe(0);
    });
  });

  describe('repositories (the same repository SQL on both)', () => {
    const cursors = new CursorCodec('contract-suite-secret-at-least-32-characters');
    let brands: Brands;
    let models: Models;

    beforeAll(async () => {
      brands = new Brands(sql, cursors);
      models = new Models(sql, cursors);
      await sql.query('DELETE FROM models');
      await sql.query('DELETE FROM brands');
    });

    it('creates and gets a brand', async () => {
      const created = await brands.create({ name: 'Peugeot', country: 'FR' });

      const fetched = await brands.get(created.id);

      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Peugeot',
        country: 'FR',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: created.createdAt,
      });
      expect(fetched).toEqual(created);
    });

    it('lists brands by name, case-insensitively, across pages', async () => {
      for (const name of ['alfa Romeo', 'BMW', 'citroën', 'Dacia']) await brands.create({ name });

      const first = await brands.list(2);
      const second = await brands.list(2, first.nextCursor ?? undefined);
      const third = await brands.list(2, second.nextCursor ?? undefined);

      expect(first.items.map((brand) => brand.name)).toEqual(['alfa Romeo', 'BMW']);
      expect(second.items.map((brand) => brand.name)).toEqual(['citroën', 'Dacia']);
      expect(third.items.map((brand) => brand.name)).toEqual(['Peugeot']);
      expect(third.nextCursor).toBeNull();
    });

    it('updates a brand only when the precondition holds', async () => {
      const brand = await brands.create({ name: 'Renault' });

      const refused = await brands.update(brand.id, { name: 'Renault Group' }, () => false).catch(failed);
      const updated = await brands.update(
        brand.id,
        { country: 'FR' },
        (current) => current.updatedAt === brand.updatedAt,
      );

      expect(refused).toBeInstanceOf(PreconditionFailedError);
      expect(updated).toMatchObject({
        id: brand.id,
        name: 'Renault',
        country: 'FR',
        createdAt: brand.createdAt,
      });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(brand.updatedAt));
    });

    it('reports a taken name as a conflict, on create and on update', async () => {
      const taken = await brands.create({ name: 'Skoda' });
      const other = await brands.create({ name: 'Seat' });

      const onCreate = await brands.create({ name: 'SKODA' }).catch(failed);
      const onUpdate = await brands.update(other.id, { name: 'skoda' }, () => true).catch(failed);

      expect(onCreate).toBeInstanceOf(ConflictError);
      expect(onUpdate).toBeInstanceOf(ConflictError);
      expect(await brands.get(taken.id)).toEqual(taken);
    });

    it('creates, lists, updates and deletes models of a brand', async () => {
      const brand = await brands.create({ name: 'Volkswagen', country: 'DE' });
      const golf = await models.create({
        brandId: brand.id,
        name: 'Golf',
        bodyType: 'hatchback',
        launchYear: 1974,
      });
      await models.create({ brandId: brand.id, name: 'polo' });
      await models.create({ brandId: brand.id, name: 'Passat', bodyType: 'sedan' });

      const first = await models.list(2, undefined, brand.id);
      const second = await models.list(2, first.nextCursor ?? undefined, brand.id);
      const updated = await models.update(golf.id, { launchYear: 1975, bodyType: null }, () => true);
      await models.delete(golf.id);
      const gone = await models.get(golf.id).catch(failed);

      expect(golf).toMatchObject({
        brandId: brand.id,
        name: 'Golf',
        bodyType: 'hatchback',
        launchYear: 1974,
      });
      expect(first.items.map((model) => model.name)).toEqual(['Golf', 'Passat']);
      expect(second.items.map((model) => model.name)).toEqual(['polo']);
      expect(second.nextCursor).toBeNull();
      expect(updated).toMatchObject({ id: golf.id, launchYear: 1975, bodyType: null });
      expect(gone).toBeInstanceOf(NotFoundError);
    });

    it('refuses a model of an unknown brand, and deleting a brand that still has models', async () => {
      const brand = await brands.create({ name: 'Fiat' });
      await models.create({ brandId: brand.id, name: 'Panda' });

      const orphan = await models.create({ brandId: crypto.randomUUID(), name: 'Ghost' }).catch(failed);
      const stillUsed = await brands.delete(brand.id).catch(failed);

      expect(orphan).toBeInstanceOf(ValidationError);
      expect(orphan).toMatchObject({ kind: 'unprocessable' });
      expect(stillUsed).toBeInstanceOf(ConflictError);
      expect(await brands.get(brand.id)).toMatchObject({ name: 'Fiat' });
    });

    it('deletes a brand without models, then reports it missing', async () => {
      const brand = await brands.create({ name: 'Lancia' });

      await brands.delete(brand.id);
      const again = await brands.delete(brand.id).catch(failed);
      const fetched = await brands.get(brand.id).catch(failed);

      expect(again).toBeInstanceOf(NotFoundError);
      expect(fetched).toBeInstanceOf(NotFoundError);
    });
  });
});

const CASTS: Record<string, string> = {
  amount: '::numeric',
  day: '::date',
  at: '::timestamptz',
  doc: '::jsonb',
  raw_doc: '::json',
};
