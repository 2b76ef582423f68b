import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod';
import { awsDataApiSql } from '../shared/aws-sql';
import { readEnv } from '../shared/config';
import { logger } from '../shared/powertools';
import { loadMigrations, migrate } from '../shared/sql/migrations';
import { applyDatabaseRoles, DATABASE_ROLE_NAMES, type DatabaseRole, roleName } from './roles';

const { MIGRATIONS_DIR } = readEnv({ MIGRATIONS_DIR: z.string().min(1) });
const sql = awsDataApiSql();
const secrets = new SecretsManagerClient({});

/** The custom resource's properties (lib/migrations.ts): the secret of every role in lambdas/migrate/roles.ts. */
const Properties = z.object({
  RoleSecrets: z.record(z.enum(DATABASE_ROLE_NAMES), z.string().startsWith('arn:')),
});

/** What a role secret holds (rds.DatabaseSecret, attached to the cluster; rotation keeps the shape). */
const RoleSecret = z.object({ username: z.string().min(1), password: z.string().min(1) });

/**
 * CloudFormation custom resource (Provider framework): on create and update applies pending migrations, then
 * creates or updates each function's database role with its password (from its secret) and exactly its grants.
 */
export async function handler(event: CloudFormationCustomResourceEvent) {
  const physicalResourceId = 'schema-migrations';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const { RoleSecrets } = Properties.parse(event.ResourceProperties);
  const applied = await migrate(sql, await loadMigrations(MIGRATIONS_DIR));
  const roles = await applyDatabaseRoles(sql, await passwordsOf(RoleSecrets));
  logger.info('Migrations applied', { applied, roles: roles.map(roleName) });
  return { PhysicalResourceId: physicalResourceId, Data: { Applied: applied.join(',') } };
}

async function passwordsOf(arns: Record<DatabaseRole, string>) {
  const passwords: Partial<Record<DatabaseRole, string>> = {};
  await Promise.all(
    DATABASE_ROLE_NAMES.map(async (role) => {
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: arns[role] }));
      const secret = RoleSecret.parse(JSON.parse(SecretString ?? '{}'));
      // The secret names the login the function's Data API calls use: it must be the role granted here.
      if (secret.username !== roleName(role)) {
        throw new Error(`The secret of role ${role} names user ${secret.username}, not ${roleName(role)}`);
      }
      passwords[role] = secret.password;
    }),
  );
  return passwords;
}
