/**
 * Least privilege in the database, in one definition: each function that reaches Aurora logs in as its own role,
 * which may touch only the tables (and privileges) listed here. The stack creates one secret per role from the
 * keys (lib/database.ts), and the migrations custom resource turns the same data into SQL (`roleStatements`)
 * after the schema migrations, so the grants and the infrastructure cannot drift. Only the migrations use the
 * master user. Pure data and SQL text: no AWS here, the local tests run it on PGlite.
 *
 * A row lock (`SELECT … FOR UPDATE`, `FOR KEY SHARE`) needs UPDATE on at least one column of the table; where a
 * role only locks rows, it gets UPDATE on one bookkeeping timestamp, the least harmful column, not the table.
 */
import { createHash } from 'node:crypto';
import type { Sql } from '../shared/sql/port';

export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
/** A table-wide privilege, or UPDATE on named columns only. */
export type Grant = Privilege | { readonly update: readonly string[] };
export type TableGrants = Readonly<Record<string, readonly Grant[]>>;

const READ_WRITE = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

/**
 * What a write of sales books in the same transaction (lambdas/shared/projection/bookkeeping.ts), and what its
 * projection right after the commit reads and forgets (lambdas/shared/projection/projector.ts `project`).
 */
const BOOKKEEPING = {
  // INSERT … ON CONFLICT DO UPDATE … RETURNING reads, inserts and updates.
  sales_buckets: ['SELECT', 'INSERT', 'UPDATE'],
  sales_bucket_parts: ['SELECT', 'INSERT', 'UPDATE'],
  // INSERT … RETURNING reads what it inserted; the projection deletes the entries it projected.
  sales_outbox: ['SELECT', 'INSERT', 'DELETE'],
} as const satisfies TableGrants;

/**
 * Booking the changes that bulk writes left pending (`bookPendingChanges`): each row locked FOR UPDATE, booked,
 * then deleted.
 */
const PENDING_BOOKING = {
  ...BOOKKEEPING,
  sales_pending_changes: ['SELECT', 'DELETE', { update: ['created_at'] }],
} as const satisfies TableGrants;

/** What a write of sales reads: the models it names, locked FOR KEY SHARE (lambdas/sales/repository.ts). */
const LOCKED_MODELS = { models: ['SELECT', { update: ['updated_at'] }] } as const satisfies TableGrants;

export const DATABASE_ROLES = {
  // The catalog functions: their own table each. Deleting a brand that models still use is refused by the
  // foreign key, which PostgreSQL checks as the table owner, so neither needs the other's table.
  brand: { brands: READ_WRITE },
  model: { models: READ_WRITE },
  // Records, lists, reads and deletes sales (a delete locks its row FOR UPDATE), books them or leaves a bulk
  // write's changes pending, and projects its own buckets right after the commit. A delete books what is pending
  // first, so no bucket shows a sale taken away before it was added.
  sales: {
    ...LOCKED_MODELS,
    sales: ['SELECT', 'INSERT', 'DELETE', { update: ['created_at'] }],
    ...PENDING_BOOKING,
    sales_pending_changes: [...PENDING_BOOKING.sales_pending_changes, 'INSERT'],
  },
  // The queue worker runs the same write use case as POST /sales, and never deletes.
  ingest: {
    ...LOCKED_MODELS,
    sales: ['SELECT', 'INSERT'],
    ...BOOKKEEPING,
    sales_pending_changes: ['INSERT'],
  },
  // Books the pending changes of bulk writes, then drains the outbox: reads entries and the buckets they name,
  // deletes the entries once projected. Reads the models too: a booking and the all-sales breakdown group each
  // model under its brand.
  projector: { ...PENDING_BOOKING, models: ['SELECT'] },
} as const satisfies Record<string, TableGrants>;

/** A function that reaches the database, by its service name (`POWERTOOLS_SERVICE_NAME`). */
export type DatabaseRole = keyof typeof DATABASE_ROLES;
export const DATABASE_ROLE_NAMES = Object.keys(DATABASE_ROLES) as DatabaseRole[];

/** The PostgreSQL role (and Secrets Manager username) of a function. */
export function roleName(role: DatabaseRole): string {
  return `fn_${role}`;
}

/**
 * The statements that make `role` exist and hold exactly its grants, whatever it held before (so a grant
 * removed from the definition is taken away); run them in one transaction, so the role is never left without
 * its grants. `password` is set from the role's secret on every run, which also takes a secret replaced by
 * hand; absent (locally, where nothing logs in), the role keeps the one it has. Utility statements take no
 * parameters, so it is quoted here.
 */
export function roleStatements(role: DatabaseRole, password?: string): string[] {
  const name = roleName(role);
  const tables: TableGrants = DATABASE_ROLES[role];
  return [
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${name}') THEN CREATE ROLE ${name} LOGIN; END IF;
     END $$`,
    `ALTER ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE${password === undefined ? '' : ` PASSWORD ${quoteLiteral(password)}`}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${name}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${name}`,
    ...Object.entries(tables).map(
      ([table, privileges]) => `GRANT ${privileges.map(grantSql).join(', ')} ON ${table} TO ${name}`,
    ),
  ];
}

/**
 * Creates or updates every role with its grants, each in its own transaction, after the schema migrations (the
 * grants name their tables). `passwords` by role: in AWS each from its secret; locally none.
 */
export async function applyDatabaseRoles(
  sql: Sql,
  passwords: Partial<Record<DatabaseRole, string>> = {},
): Promise<DatabaseRole[]> {
  for (const role of DATABASE_ROLE_NAMES) {
    await sql.transaction(async (tx) => {
      for (const statement of roleStatements(role, passwords[role])) await tx.query(statement);
    });
  }
  return DATABASE_ROLE_NAMES;
}

/** A fingerprint of the definition: the custom resource re-runs the grants when it changes. */
export function grantsFingerprint(): string {
  return createHash('sha256').update(JSON.stringify(DATABASE_ROLES)).digest('hex');
}

function grantSql(grant: Grant): string {
  return typeof grant === 'string' ? grant : `UPDATE (${grant.update.join(', ')})`;
}

/** A PostgreSQL string literal (standard_conforming_strings is on: only the quote needs doubling). */
function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('A password cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
