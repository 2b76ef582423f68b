import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from '../../lambdas/shared/sql/migrations';
import { MIGRATIONS_DIR } from '../../local/engines';

// `migrate` itself (idempotence, edited-migration refusal, atomic failure) runs on both adapters in contract.test.ts.

describe('splitStatements', () => {
  it('splits on semicolons and trims, with or without a final semicolon', () => {
    expect(splitStatements('CREATE TABLE a (id int);\n\n  CREATE TABLE b (id int)  ')).toEqual([
      'CREATE TABLE a (id int)',
      'CREATE TABLE b (id int)',
    ]);
  });

  it('skips empty statements', () => {
    expect(splitStatements(';; SELECT 1;;\n;')).toEqual(['SELECT 1']);
  });

  it('keeps semicolons inside string literals, doubled quotes included', () => {
    expect(splitStatements(`INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT 2`)).toEqual([
      `INSERT INTO t VALUES ('a;b', 'it''s; fine')`,
      'SELECT 2',
    ]);
  });

  it('keeps semicolons inside E-strings with backslash-escaped quotes', () => {
    expect(splitStatements(`SELECT E'it\\'s; fine'; SELECT 2`)).toEqual([
      `SELECT E'it\\'s; fine'`,
      'SELECT 2',
    ]);
  });

  it('treats a backslash in a standard string literally', () => {
    expect(splitStatements(`SELECT 'C:\\'; SELECT 2`)).toEqual([`SELECT 'C:\\'`, 'SELECT 2']);
  });

  it('keeps semicolons inside quoted identifiers', () => {
    expect(splitStatements('CREATE TABLE "odd;name" (id int); SELECT 1')).toEqual([
      'CREATE TABLE "odd;name" (id int)',
      'SELECT 1',
    ]);
  });

  it('keeps dollar-quoted bodies whole, with or without a tag', () => {
    const script = `
      CREATE FUNCTION a() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
      CREATE FUNCTION b() RETURNS void LANGUAGE plpgsql AS $body1$
      BEGIN
        PERFORM 1; -- not the end
        RAISE NOTICE '$$;';
      END;
      $body1$;
      SELECT 3`;

    const statements = splitStatements(script);

    expect(statements).toHaveLength(3);
    expect(statements[0]).toBe('CREATE FUNCTION a() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$');
    expect(statements[1]).toMatch(
      /^CREATE FUNCTION b\(\)[\s\S]*PERFORM 1; -- not the end[\s\S]*END;\s+\$body1\$$/,
    );
    expect(statements[2]).toBe('SELECT 3');
  });

  it('drops line and block comments, and the semicolons in them', () => {
    const script = `-- header; with a semicolon
      SELECT 1; /* a; block
      comment */ SELECT 2 -- trailing;
      ;`;

    expect(splitStatements(script)).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps -- inside a string literal', () => {
    expect(splitStatements(`SELECT '--not a comment;'`)).toEqual([`SELECT '--not a comment;'`]);
  });

  it('returns nothing for a script of comments', () => {
    expect(splitStatements('-- nothing here;\n/* nor; here */')).toEqual([]);
  });
});

describe('loadMigrations', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '0002_second.sql'), 'CREATE TABLE b (id int);');
    await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);');
    await writeFile(join(dir, 'README.md'), 'not a migration');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the .sql files in version order, each with its checksum and statements', async () => {
    const migrations = await loadMigrations(dir);

    expect(migrations).toEqual([
      {
        version: '0001_first',
        checksum: createHash('sha256')
          .update('CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);')
          .digest('hex'),
        statements: ['CREATE TABLE a (id int)', 'CREATE INDEX a_id ON a (id)'],
      },
      {
        version: '0002_second',
        checksum: createHash('sha256').update('CREATE TABLE b (id int);').digest('hex'),
        statements: ['CREATE TABLE b (id int)'],
      },
    ]);
  });

  it("loads the project's migrations", async () => {
    const migrations = await loadMigrations(MIGRATIONS_DIR);

    expect(migrations[0]?.version).toBe('0001_catalog');
    expect(migrations.every((migration) => migration.statements.length > 0)).toBe(true);
  });
});
