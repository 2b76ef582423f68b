import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
 * Splits a SQL script into statements, because the Data API runs one statement per call.
 * Semicolons inside quotes (E'…' escapes included), dollar-quoted bodies and comments do not split.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < script.length) {
    const rest = script.slice(i);
    const skip =
      /^--[^\n]*/.exec(rest)?.[0] ??
      /^\/\*[\s\S]*?\*\//.exec(rest)?.[0] ??
      (IDENTIFIER_CHAR.test(script[i - 1] ?? '')
        ? undefined
        : /^[eE]'(?:[^'\\]|\\[\s\S]|'')*'/.exec(rest)?.[0]) ??
      /^'(?:[^']|'')*'/.exec(rest)?.[0] ??
      /^"(?:[^"]|"")*"/.exec(rest)?.[0] ??
      dollarQuoted(rest);
    if (skip) {
      if (!skip.startsWith('--') && !skip.startsWith('/*')) current += skip;
      i += skip.length;
    } else if (script[i] === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      i += 1;
    } else {
      current += script[i];
      i += 1;
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

// A letter, digit, `_` or `$` before `E'` makes it part of a word, not an escape-string prefix.
const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;

function dollarQuoted(text: string): string | undefined {
  const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text)?.[0];
  const end = tag ? text.indexOf(tag, tag.length) : -1;
  return tag && end >= 0 ? text.slice(0, end + tag.length) : undefined;
}
