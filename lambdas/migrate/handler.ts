import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../shared/powertools';
import { loadMigrations, migrate } from '../shared/sql/migrations';
import type { Sql } from '../shared/sql/port';
import { applyDatabaseRoles, DATABASE_ROLE_NAMES, type DatabaseRole, roleName } from './roles';

export interface MigrateDeps {
  /** The database as its owner (the master user). */
  readonly sql: Sql;
  readonly migrationsDir: string;
  /** The current value of a secret (Secrets Manager in AWS). */
  readSecret(arn: string): Promise<string>;
}

/** The custom resource's properties (lib/migrations.ts): the secret of every role in lambdas/migrate/roles.ts. */
const Properties = z.object({
  RoleSecrets: z.record(z.enum(DATABASE_ROLE_NAMES), z.string().startsWith('arn:')),
});

/** What a role secret holds (rds.DatabaseSecret, attached to the cluster; rotation keeps the shape). */
const RoleSecret = z.object({ username: z.string().min(1), password: z.string().min(1) });

const PHYSICAL_RESOURCE_ID = 'schema-migrations';

/**
 * CloudFormation custom resource (Provider framework): on create and update applies pending migrations, then
 * creates or updates each function's database role with its password (from its secret) and exactly its grants.
 * A delete leaves schema and roles alone: the data outlives the resource.
 */
export function createMigrateHandler(deps: MigrateDeps) {
  return async (event: CloudFormationCustomResourceEvent) => {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
    const { RoleSecrets } = Properties.parse(event.ResourceProperties);
    const applied = await migrate(deps.sql, await loadMigrations(deps.migrationsDir));
    const roles = await applyDatabaseRoles(deps.sql, await passwordsOf(RoleSecrets, deps));
    logger.info('Migrations applied', { applied, roles: roles.map(roleName) });
    return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { Applied: applied.join(',') } };
  };
}

async function passwordsOf(arns: Record<DatabaseRole, string>, deps: MigrateDeps) {
  const passwords: Partial<Record<DatabaseRole, string>> = {};
  await Promise.all(
    DATABASE_ROLE_NAMES.map(async (role) => {
      const secret = RoleSecret.parse(JSON.parse(await deps.readSecret(arns[role])));
      // The secret names the login the function's Data API calls use: it must be the role granted here.
      if (secret.username !== roleName(role)) {
        throw new Error(`The secret of role ${role} names user ${secret.username}, not ${roleName(role)}`);
      }
      passwords[role] = secret.password;
    }),
  );
  return passwords;
}
