import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sqlTokens } from './lexer';
import type { Sql } from './port';

export interface Migration {
  version: string;
  checksum: string;
  statements: string[];
}

// Any constant: serializes concurrent runners (a deploy and a local start, two test files on one database).
const MIGRATION_LOCK = 7_242_001;

/** Reads `NNNN_name.sql` files in order; each is one migration, run in one transaction. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      return {
        version: file.replace(/\.sql$/, ''),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    }),
  );
}

/** Applies the migrations not yet applied; refuses to run if an applied one was edited. Returns the versions applied. */
export async function migrate(sql: Sql, migrations: Migration[]): Promise<string[]> {
  await sql.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const didApply = await sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(:lock)', { lock: MIGRATION_LOCK });
      const { rows } = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = :version',
        { version: migration.version },
      );
      const existing = rows[0];
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.version} was changed after it was applied; add a new one instead`,
          );
        }
        return false;
      }
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, checksum) VALUES (:version, :checksum)', {
        version: migration.version,
        checksum: migration.checksum,
      });
      return true;
    });
    if (didApply) applied.push(migration.version);
  }
  return applied;
}

/**
 * Splits a SQL script into statements, because the Data API runs one statement per call. Semicolons inside
 * quotes, dollar-quoted bodies and comments do not split; comments are dropped.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (const token of sqlTokens(script)) {
    if (token.kind === 'semicolon') {
      if (current.trim()) statements.push(current.trim());
      current = '';
    } else if (token.kind !== 'comment') current += token.text;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
