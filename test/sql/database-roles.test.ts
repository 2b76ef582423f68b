import { createHash, createHmac, pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Brands } from '../../lambdas/brand/brands';
import { DynamoIngestionStatuses } from '../../lambdas/ingest/statuses';
import { IngestWorker } from '../../lambdas/ingest/worker';
import { createMigrateHandler } from '../../lambdas/migrate/handler';
import {
  applyDatabaseRoles,
  DATABASE_ROLE_NAMES,
  DATABASE_ROLES,
  type DatabaseRole,
  type Grant,
  roleName,
} from '../../lambdas/migrate/roles';
import { Models } from '../../lambdas/model/models';
import { Sales } from '../../lambdas/sales/sales';
import { CursorCodec } from '../../lambdas/shared/pagination';
import { logger } from '../../lambdas/shared/powertools';
import { outboxSize, requeueAllBuckets } from '../../lambdas/shared/projection/bookkeeping';
import { DynamoAggregateStore } from '../../lambdas/shared/projection/dynamo-store';
import { Projector } from '../../lambdas/shared/projection/projector';
import { loadMigrations, migrate } from '../../lambdas/shared/sql/migrations';
import { PgliteSql } from '../../lambdas/shared/sql/pglite';
import { MIGRATIONS_DIR, openDynamo } from '../../local/engines';
import { LOCAL_TABLES } from '../../local/tables';

// The grants of lambdas/migrate/roles.ts, applied as the migrations custom resource applies them, then each
// function's real use cases run under its role (`SET ROLE`): enough to do its work, and nothing more.

let pglite: PGlite;
let sql: PgliteSql;
let dynamo: Awaited<ReturnType<typeof openDynamo>>;
const cursors = new CursorCodec(randomBytes(32).toString('hex'));
const PASSWORDS = Object.fromEntries(DATABASE_ROLE_NAMES.map((role) => [role, `pw-${role}-it's`]));

beforeAll(async () => {
  pglite = await PGlite.create();
  sql = new PgliteSql(pglite);
  await migrate(sql, await loadMigrations(MIGRATIONS_DIR));
  await applyDatabaseRoles(sql, PASSWORDS);
  dynamo = await openDynamo();
}, 60_000);

afterAll(async () => {
  await dynamo?.close();
  await pglite?.close();
});

/**
 * Runs `work` logged in as the function's role, as its Data API calls are in AWS. Best-effort steps (the
 * projection right after a write) swallow their failures into a warning, so a warning fails the work too.
 */
async function asRole<T>(role: DatabaseRole, work: () => Promise<T>): Promise<T> {
  const warn = vi.spyOn(logger, 'warn');
  await pglite.exec(`SET ROLE ${roleName(role)}`);
  try {
    const result = await work();
    expect(warn.mock.calls).toEqual([]);
    return result;
  } finally {
    warn.mockRestore();
    await pglite.exec('RESET ROLE');
  }
}

const store = () => new DynamoAggregateStore(dynamo.documents, LOCAL_TABLES.aggregates);
const salesUseCases = () => new Sales(sql, new Projector(sql, store()), cursors, 'EUR');
const sale = (modelId: string, externalId?: string) => ({
  modelId,
  soldAt: '2025-03-01T10:00:00Z',
  quantity: 2,
  unitPrice: '19999.90',
  ...(externalId ? { externalId } : {}),
});

/** A brand and a model, made by the owner (the catalog roles are tested on their own). */
async function seedModel(): Promise<string> {
  const brand = await new Brands(sql, cursors).create({ name: `Brand ${randomUUID()}` });
  const model = await new Models(sql, cursors).create({ brandId: brand.id, name: 'Model' });
  return model.id;
}

type GrantRow = { table: string; column: string | null; privilege: string };

/** What PostgreSQL says the role may do on the tables of the schema, table-wide and per column. */
async function grantsHeldBy(role: DatabaseRole): Promise<GrantRow[]> {
  const { rows } = await sql.query<GrantRow>(
    `SELECT c.relname AS "table", NULL AS "column", a.privilege_type AS privilege
     FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
     WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = :role)
     UNION ALL
     SELECT c.relname, att.attname, a.privilege_type
     FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid CROSS JOIN LATERAL aclexplode(att.attacl) a
     WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = :role)`,
    { role: roleName(role) },
  );
  return sortGrants(rows);
}

function definedGrants(role: DatabaseRole): GrantRow[] {
  const tables: Readonly<Record<string, readonly Grant[]>> = DATABASE_ROLES[role];
  return sortGrants(
    Object.entries(tables).flatMap(([table, grants]) =>
      grants.flatMap((grant): GrantRow[] =>
        typeof grant === 'string'
          ? [{ table, column: null, privilege: grant }]
          : grant.update.map((column) => ({ table, column, privilege: 'UPDATE' })),
      ),
    ),
  );
}

const sortGrants = (rows: GrantRow[]) =>
  rows
    .map(({ table, column, privilege }) => ({ table, column, privilege }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('Function: applyDatabaseRoles', () => {
  it.each(DATABASE_ROLE_NAMES)('gives %s exactly the grants of its definition', async (role) => {
    const held = await grantsHeldBy(role);

    expect(held).toEqual(definedGrants(role));
  });

  it.each(DATABASE_ROLE_NAMES)('makes %s a plain login with the password of its secret', async (role) => {
    const { rows } = await sql.query<Record<string, unknown>>(
      `SELECT r.rolcanlogin AS login, r.rolsuper AS super, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
              r.rolpassword AS verifier,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
       FROM pg_authid r WHERE r.rolname = :role`,
      { role: roleName(role) },
    );

    const [{ verifier, ...flags } = {}] = rows;
    expect(flags).toEqual({ login: true, super: false, createrole: false, createdb: false, memberships: 0 });
    // The password has a quote in it: quoted, not cut short.
    expect(scramMatches(String(verifier), `pw-${role}-it's`)).toBe(true);
  });

  it('is idempotent, and takes back a grant made by hand', async () => {
    // Arrange
    await sql.query(`GRANT INSERT ON sales TO ${roleName('projector')}`);
    await sql.query(`GRANT SELECT ON schema_migrations TO ${roleName('brand')}`);

    // Act
    await applyDatabaseRoles(sql, PASSWORDS);

    // Assert
    expect(await grantsHeldBy('projector')).toEqual(definedGrants('projector'));
    expect(await grantsHeldBy('brand')).toEqual(definedGrants('brand'));
  });
});

describe('Roles at work: each function’s use cases under its own role', () => {
  it('brand: creates, lists, reads, updates and deletes brands', async () => {
    await asRole('brand', async () => {
      const brands = new Brands(sql, cursors);
      const created = await brands.create({ name: `Role Brand ${randomUUID()}`, country: 'SE' });
      expect((await brands.list(100)).items.map((b) => b.id)).toContain(created.id);
      expect(await brands.get(created.id)).toEqual(created);
      expect((await brands.update(created.id, { country: 'NO' }, () => true)).country).toBe('NO');
      await brands.delete(created.id);
      await expect(brands.get(created.id)).rejects.toThrow();
    });
  });

  it('model: creates, lists, reads, updates and deletes models (the brand checked by its foreign key)', async () => {
    const brand = await new Brands(sql, cursors).create({ name: `Role Brand ${randomUUID()}` });

    await asRole('model', async () => {
      const models = new Models(sql, cursors);
      const created = await models.create({ brandId: brand.id, name: 'Roadster', launchYear: 2020 });
      expect((await models.list(100, undefined, brand.id)).items.map((m) => m.id)).toEqual([created.id]);
      expect(await models.get(created.id)).toEqual(created);
      expect((await models.update(created.id, { launchYear: 2021 }, () => true)).launchYear).toBe(2021);
      await expect(models.create({ brandId: randomUUID(), name: 'Orphan' })).rejects.toThrow(
        'does not exist',
      );
      await models.delete(created.id);
    });
  });

  it('sales: records, imports, lists, reads and deletes sales, and projects them', async () => {
    const modelId = await seedModel();

    await asRole('sales', async () => {
      const sales = salesUseCases();
      const actor = { clientId: 'role-writer' };
      const [recorded] = await sales.record(
        { items: [{ sale: sale(modelId, 'ext-1') }], origins: [{ index: 0 }] },
        actor,
      );
      expect(recorded?.modelId).toBe(modelId);
      const imported = await sales.import(
        { items: [{ sale: sale(modelId) }, { sale: sale(modelId) }], origins: [{ index: 0 }, { index: 1 }] },
        actor,
      );
      expect(imported).toBe(2);
      await expect(
        sales.record({ items: [{ sale: sale(modelId, 'ext-1') }], origins: [{ index: 0 }] }, actor),
      ).rejects.toThrow();
      expect((await sales.list({ modelId }, 10)).items).toHaveLength(3);
      expect((await sales.list({ brandId: randomUUID() }, 10)).items).toEqual([]);
      if (!recorded) throw new Error('nothing recorded');
      expect((await sales.get(recorded.id)).id).toBe(recorded.id);
      await sales.delete(recorded.id, actor);
      expect((await sales.list({ modelId }, 10)).items).toHaveLength(2);
    });
    const figures = await store().queryPeriods({
      scope: 'model',
      scopeId: modelId,
      currency: 'EUR',
      grain: 'day',
      from: '2025-03-01',
      to: '2025-03-01',
    });
    expect(figures.map((bucket) => bucket.units)).toEqual([4]);
  });

  it('ingest: the worker stores a queued message', async () => {
    const modelId = await seedModel();
    const statuses = new DynamoIngestionStatuses(dynamo.documents, LOCAL_TABLES.ingestions, 1);
    const batchId = randomUUID();
    await statuses.accept({ batchId, clientId: 'role-partner', count: 2 });
    const worker = new IngestWorker(salesUseCases(), statuses, {
      maxReceiveCount: 3,
      breakerThreshold: 3,
      breakerOpenMs: 1000,
      slowWriteMs: 60_000,
    });
    const message = { batchId, clientId: 'role-partner', events: [sale(modelId), sale(randomUUID())] };

    await asRole('ingest', async () => {
      await worker.process(message, 1);
      // A redelivery finds what the first stored.
      await worker.process(message, 2);
    });

    const status = await statuses.find(batchId);
    expect(status?.results?.map((result) => result.status)).toEqual(['stored', 'rejected']);
  });

  /** A CSV-sized import: one sale on each of `days` days from 2024-01-01, more changes than a write books itself. */
  const bulkImport = (modelId: string, days: number) => ({
    items: Array.from({ length: days }, (_, i) => ({
      sale: { ...sale(modelId), soldAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString() },
    })),
    origins: Array.from({ length: days }, (_, i) => ({ line: i + 2 })),
  });
  const pendingRows = async () =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_pending_changes')).rows[0]?.n;

  it('sales: a bulk import leaves its changes pending, and a delete books them before its own', async () => {
    const modelId = await seedModel();
    const actor = { clientId: 'role-bulk-writer' };

    await asRole('sales', async () => {
      const sales = salesUseCases();
      expect(await sales.import(bulkImport(modelId, 250), actor)).toBe(250);
      expect(await pendingRows()).toBe(1);
      const [first] = (await sales.list({ modelId }, 1)).items;
      if (!first) throw new Error('nothing imported');
      await sales.delete(first.id, actor);
    });

    expect(await pendingRows()).toBe(0);
    const { rows } = await sql.query<{ orders: number }>(
      `SELECT orders::int FROM sales_buckets WHERE scope = 'model' AND scope_id = :modelId AND grain = 'year'
       ORDER BY sale_day`,
      { modelId },
    );
    expect(rows.map((row) => row.orders)).toEqual([249]);
  });

  it('projector: books pending changes and drains them', async () => {
    const modelId = await seedModel();
    await salesUseCases().import(bulkImport(modelId, 300), { clientId: 'role-bulk-writer' });
    expect(await pendingRows()).toBe(1);

    const drained = await asRole('projector', () => new Projector(sql, store()).drain());

    expect(drained).toBeGreaterThan(300);
    expect(await pendingRows()).toBe(0);
    const figures = await store().queryPeriods({
      scope: 'model',
      scopeId: modelId,
      currency: 'EUR',
      grain: 'year',
      from: '2024-01-01',
      to: '2024-01-01',
    });
    expect(figures.map((bucket) => bucket.orders)).toEqual([300]);
  });

  it('projector: drains the outbox', async () => {
    // Every bucket queued again by the owner, as a redelivery after a crash would leave them.
    expect(await requeueAllBuckets(sql)).toBeGreaterThan(0);

    const drained = await asRole('projector', () => new Projector(sql, store()).drain());

    expect(drained).toBeGreaterThan(0);
    expect(await outboxSize(sql)).toBe(0);
  });
});

describe('Roles at their limits', () => {
  const refusals: [DatabaseRole, string, string][] = [
    [
      'brand',
      'INSERT into sales',
      `INSERT INTO sales (id, model_id, sold_at, quantity, unit_price, currency, submitted_by)
      VALUES (gen_random_uuid(), gen_random_uuid(), now(), 1, 1, 'EUR', 'x')`,
    ],
    ['brand', 'read models', 'SELECT count(*) FROM models'],
    ['model', 'write brands', `INSERT INTO brands (name) VALUES ('Sneaky')`],
    ['sales', 'write brands', `UPDATE brands SET name = name`],
    ['sales', 'rename models', `UPDATE models SET name = name`],
    ['sales', 'change who submitted a sale', `UPDATE sales SET submitted_by = 'someone else'`],
    ['sales', 'delete buckets', 'DELETE FROM sales_buckets'],
    ['ingest', 'delete sales', 'DELETE FROM sales'],
    ['projector', 'read sales', 'SELECT count(*) FROM sales'],
    ['projector', 'rename models', `UPDATE models SET name = name`],
    ['projector', 'delete buckets', 'DELETE FROM sales_buckets'],
    ['projector', 'leave changes pending', `INSERT INTO sales_pending_changes (changes) VALUES ('[]')`],
    ['ingest', 'book pending changes', 'DELETE FROM sales_pending_changes'],
  ];
  const everyRole = DATABASE_ROLE_NAMES.map((role) => [role] as const);

  it.each(refusals)('%s may not %s', async (role, _, statement) => {
    await asRole(role, async () => {
      await expect(sql.query(statement)).rejects.toMatchObject({ code: '42501' });
    });
  });

  it.each(everyRole)('%s may not read the migrations bookkeeping nor create tables', async (role) => {
    await asRole(role, async () => {
      await expect(sql.query('SELECT * FROM schema_migrations')).rejects.toMatchObject({ code: '42501' });
      await expect(sql.query('CREATE TABLE intruder (id int)')).rejects.toMatchObject({ code: '42501' });
    });
  });
});

describe('Function: createMigrateHandler (the migrations custom resource)', () => {
  let fresh: PGlite;
  const secrets = new Map<string, string>();
  const arnOf = (role: DatabaseRole) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${role}-AbCdEf`;
  const setSecret = (role: DatabaseRole, password: string, username = roleName(role)) =>
    secrets.set(
      arnOf(role),
      JSON.stringify({ username, password, engine: 'postgres', host: 'cluster', port: 5432 }),
    );
  const event = (
    RequestType: 'Create' | 'Update' | 'Delete',
    roles: readonly DatabaseRole[] = DATABASE_ROLE_NAMES,
  ) =>
    ({
      RequestType,
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
      ResponseURL: 'https://example.com/response',
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Test/1',
      RequestId: randomUUID(),
      LogicalResourceId: 'Migrations',
      PhysicalResourceId: 'schema-migrations',
      ResourceType: 'Custom::DatabaseMigrations',
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
        RoleSecrets: Object.fromEntries(roles.map((role) => [role, arnOf(role)])),
      },
      OldResourceProperties: {},
    }) as CloudFormationCustomResourceEvent;
  const passwordHashes = async () => {
    const { rows } = await fresh.query<{ rolname: string; rolpassword: string | null }>(
      "SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'fn\\_%' ORDER BY rolname",
    );
    return rows;
  };
  let handler: ReturnType<typeof createMigrateHandler>;

  beforeAll(async () => {
    fresh = await PGlite.create();
    for (const role of DATABASE_ROLE_NAMES) setSecret(role, `first-${role}`);
    handler = createMigrateHandler({
      sql: new PgliteSql(fresh),
      migrationsDir: MIGRATIONS_DIR,
      readSecret: async (arn) => {
        const value = secrets.get(arn);
        if (value === undefined) throw new Error(`no secret ${arn}`);
        return value;
      },
    });
  }, 60_000);

  afterAll(async () => {
    await fresh?.close();
  });

  it('leaves the database alone on delete', async () => {
    expect(await handler(event('Delete'))).toEqual({ PhysicalResourceId: 'schema-migrations' });
    expect(await passwordHashes()).toEqual([]);
  });

  it('applies the migrations, then creates every role with the password of its secret', async () => {
    const result = await handler(event('Create'));

    expect(result.Data?.Applied.split(',')).toEqual(
      (await loadMigrations(MIGRATIONS_DIR)).map((m) => m.version),
    );
    const roles = await passwordHashes();
    expect(roles.map((r) => r.rolname)).toEqual(DATABASE_ROLE_NAMES.map(roleName).sort());
    for (const role of DATABASE_ROLE_NAMES) {
      const hash = roles.find((r) => r.rolname === roleName(role))?.rolpassword ?? '';
      expect(scramMatches(hash, `first-${role}`), role).toBe(true);
    }
  });

  it('sets a rotated password on the next run, and keeps the others', async () => {
    setSecret('sales', 'rotated');

    await handler(event('Update'));

    const hashes = new Map((await passwordHashes()).map((r) => [r.rolname, r.rolpassword ?? '']));
    expect(scramMatches(hashes.get(roleName('sales')) ?? '', 'rotated')).toBe(true);
    expect(scramMatches(hashes.get(roleName('sales')) ?? '', 'first-sales')).toBe(false);
    expect(scramMatches(hashes.get(roleName('brand')) ?? '', 'first-brand')).toBe(true);
  });

  it('refuses a secret that names another user, and properties missing a role', async () => {
    setSecret('projector', 'pw', 'sales_admin');
    await expect(handler(event('Update'))).rejects.toThrow('names user sales_admin, not fn_projector');
    setSecret('projector', 'pw');

    await expect(handler(event('Update', ['brand']))).rejects.toThrow();
  });
});

/** Whether a PostgreSQL SCRAM-SHA-256 verifier (`pg_authid.rolpassword`) is that of `password` (RFC 5802). */
function scramMatches(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const [, iterations, salt, storedKey] = match;
  const salted = pbkdf2Sync(password, Buffer.from(salt ?? '', 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return createHash('sha256').update(clientKey).digest('base64') === storedKey;
}
