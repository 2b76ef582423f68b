import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_PARAMS, bookChangesStatements } from '../../lambdas/shared/projection/bookkeeping';
import { loadMigrations, migrate } from '../../lambdas/shared/sql/migrations';
import { PgliteSql } from '../../lambdas/shared/sql/pglite';
import type { Sql } from '../../lambdas/shared/sql/port';
import { MIGRATIONS_DIR } from '../../local/engines';

// The bucket migrations (0003 onwards) rebuild the materialization from sales already in the database. Run
// against such a database, they must leave exactly the buckets and parts that booking the same sales today writes.

const CATALOG = `
  INSERT INTO brands (id, name) VALUES
    ('00000000-0000-4000-8000-00000000000a', 'Alpha'), ('00000000-0000-4000-8000-00000000000b', 'Beta');
  INSERT INTO models (id, brand_id, name)
  SELECT ('00000000-0000-4000-8000-0000000001' || lpad(i::text, 2, '0'))::uuid,
         CASE WHEN i % 2 = 0 THEN '00000000-0000-4000-8000-00000000000a'::uuid
              ELSE '00000000-0000-4000-8000-00000000000b'::uuid END,
         'Model ' || i
  FROM generate_series(1, 7) AS i`;

/** Sales over two years and two currencies, on every kind of edge day (1st, 10th, 11th, 20th, 21st, 31st). */
const SALES = `
  INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, submitted_by)
  SELECT md5('migrated-' || i)::uuid, ('00000000-0000-4000-8000-0000000001' || lpad((1 + i % 7)::text, 2, '0'))::uuid,
         timestamptz '2024-01-01 00:00:00+00' + (i * 37 % 731) * interval '1 day' + (i % 86400) * interval '1 second',
         1 + i % 4, 1000 + (i * 7919 % 50000) / 100.0, CASE WHEN i % 5 = 0 THEN 'USD' ELSE 'EUR' END, 'seed'
  FROM generate_series(1, 3000) AS i`;

const BUCKETS = `SELECT scope, scope_id, grain, sale_day::text, trim(currency) AS currency, units::text, revenue::text,
                        orders::text
                 FROM sales_buckets ORDER BY 1, 2, 3, 4, 5`;
const PARTS = `SELECT scope, scope_id, grain, sale_day::text, trim(currency) AS currency, part_id, units::text,
                      revenue::text, orders::text
               FROM sales_bucket_parts ORDER BY 1, 2, 3, 4, 5, 6`;

const databases: PGlite[] = [];
let migrated: Sql;
let booked: Sql;

async function open(): Promise<Sql> {
  const pglite = await PGlite.create();
  databases.push(pglite);
  return new PgliteSql(pglite);
}

async function run(sql: Sql, script: string) {
  for (const statement of script.split(';')) await sql.query(statement);
}

beforeAll(async () => {
  const migrations = await loadMigrations(MIGRATIONS_DIR);
  const firstBucketMigration = migrations.findIndex((migration) => migration.version.startsWith('0003'));
  expect(firstBucketMigration).toBeGreaterThan(0);

  // Sales written before the materialization existed, then every later migration.
  migrated = await open();
  await migrate(migrated, migrations.slice(0, firstBucketMigration));
  await run(migrated, CATALOG);
  await run(migrated, SALES);
  await migrate(migrated, migrations);

  // The same sales booked the way every write books them today.
  booked = await open();
  await migrate(booked, migrations);
  await run(booked, CATALOG);
  await run(booked, SALES);
  const [buckets, parts] = bookChangesStatements(
    `SELECT s.model_id, m.brand_id, s.sale_day, s.currency::text AS currency, sum(s.quantity) AS units,
            sum(s.quantity * s.unit_price) AS revenue, count(*) AS orders
     FROM sales s JOIN models m ON m.id = s.model_id GROUP BY 1, 2, 3, 4`,
    'count',
  );
  await booked.query(buckets, BOOKING_PARAMS);
  await booked.query(parts, BOOKING_PARAMS);
}, 120_000);

afterAll(async () => {
  await Promise.all(databases.map((database) => database.close()));
});

describe('the bucket migrations over existing sales', () => {
  it('build the buckets and parts that booking the same sales builds, every grain and scope', async () => {
    const [migratedBuckets, bookedBuckets] = await Promise.all([
      migrated.query(BUCKETS),
      booked.query(BUCKETS),
    ]);
    expect(bookedBuckets.rows.length).toBeGreaterThan(1000);
    expect(migratedBuckets.rows).toEqual(bookedBuckets.rows);
    const grains = await migrated.query<{ grain: string; scope: string }>(
      'SELECT DISTINCT scope, grain FROM sales_buckets ORDER BY 1, 2',
    );
    expect(grains.rows.map(({ scope, grain }) => `${scope} ${grain}`)).toEqual([
      'all day',
      'all dekad',
      'all month',
      'all pentad',
      'all year',
      'brand day',
      'brand dekad',
      'brand month',
      'brand pentad',
      'brand year',
      'model day',
      'model month',
      'model year',
    ]);
  });

  it('build the same parts (the breakdowns) as booking', async () => {
    const [migratedParts, bookedParts] = await Promise.all([migrated.query(PARTS), booked.query(PARTS)]);
    expect(bookedParts.rows.length).toBeGreaterThan(1000);
    expect(migratedParts.rows).toEqual(bookedParts.rows);
  });

  it('queue every bucket whose shape changed, so the projector writes it', async () => {
    const { rows } = await migrated.query<{ missing: number }>(
      `SELECT count(*)::int AS missing FROM sales_buckets b
       WHERE b.grain IN ('dekad', 'pentad', 'year')
         AND NOT EXISTS (SELECT 1 FROM sales_outbox o
                         WHERE (o.scope, o.scope_id, o.grain, o.sale_day, o.currency)
                             = (b.scope, b.scope_id, b.grain, b.sale_day, b.currency))`,
    );
    expect(rows[0]?.missing).toBe(0);
  });
});
