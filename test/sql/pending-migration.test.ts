import { PGlite } from '@electric-sql/pglite';
import { afterAll, expect, it } from 'vitest';
import { bookPendingChanges } from '../../lambdas/shared/projection/bookkeeping';
import { loadMigrations, migrate } from '../../lambdas/shared/sql/migrations';
import { PgliteSql } from '../../lambdas/shared/sql/pglite';
import { MIGRATIONS_DIR } from '../../local/engines';

// Migration 0008 stores pending changes as json: a row an import left as jsonb before it must still be booked.
// Migration 0009 stores them uncompressed: rows stored before it keep their storage and are booked alike.

const BRAND = '00000000-0000-4000-8000-00000000000a';
const MODEL = '00000000-0000-4000-8000-000000000101';
const pglite = await PGlite.create();
const sql = new PgliteSql(pglite);

afterAll(() => pglite.close());

it('books a pending row written as jsonb before migration 0008, and one written as json after it', async () => {
  const migrations = await loadMigrations(MIGRATIONS_DIR);
  const asJson = migrations.findIndex((migration) => migration.version.startsWith('0008'));
  expect(asJson).toBeGreaterThan(0);
  await migrate(sql, migrations.slice(0, asJson));
  await sql.query(`INSERT INTO brands (id, name) VALUES ('${BRAND}', 'Alpha')`);
  await sql.query(`INSERT INTO models (id, brand_id, name) VALUES ('${MODEL}', '${BRAND}', 'One')`);
  const change = (units: number, revenue: string) =>
    JSON.stringify([{ modelId: MODEL, day: '2025-03-01', currency: 'EUR', units, revenue, orders: 1 }]);
  await sql.query('INSERT INTO sales_pending_changes (changes) VALUES (:changes::jsonb)', {
    changes: change(2, '200.5000'),
  });

  await migrate(sql, migrations);
  const { rows: storage } = await sql.query<{ attstorage: string }>(
    `SELECT attstorage FROM pg_attribute WHERE attrelid = 'sales_pending_changes'::regclass AND attname = 'changes'`,
  );
  expect(storage).toEqual([{ attstorage: 'e' }]);
  await sql.query('INSERT INTO sales_pending_changes (changes) VALUES (:changes::json)', {
    changes: change(1, '99.5000'),
  });

  expect(await bookPendingChanges(sql)).toBe(2);
  const { rows } = await sql.query<{ units: string; revenue: string; orders: string }>(
    `SELECT units::text, revenue::text, orders::text FROM sales_buckets
     WHERE scope = 'model' AND scope_id = :model AND grain = 'day' AND currency = 'EUR'`,
    { model: MODEL },
  );
  expect(rows).toEqual([{ units: '3', revenue: '300.0000', orders: '2' }]);
});
