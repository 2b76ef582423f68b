import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadMigrations, migrate } from '../lambdas/shared/sql/migrations';
import { PgliteSql } from '../lambdas/shared/sql/pglite';

export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/** Opens embedded PostgreSQL (on disk under `dataDir`, or in memory) with every migration applied. */
export async function openDatabase(dataDir?: string) {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ? join(dataDir, 'postgres') : undefined);
  const sql = new PgliteSql(pglite);
  await migrate(sql, await loadMigrations(MIGRATIONS_DIR));
  return { pglite, sql };
}
