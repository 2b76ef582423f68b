import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod';
import { awsDataApiSql } from '../shared/aws-sql';
import { readEnv } from '../shared/config';
import { instrumented } from '../shared/metrics';
import { logger } from '../shared/powertools';
import { loadMigrations, migrate } from '../shared/sql/migrations';

const { MIGRATIONS_DIR } = readEnv({ MIGRATIONS_DIR: z.string().min(1) });
const sql = awsDataApiSql();

/** CloudFormation custom resource (Provider framework): applies pending migrations on create and update. */
export async function handler(event: CloudFormationCustomResourceEvent) {
  const physicalResourceId = 'schema-migrations';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const applied = await instrumented({ service: 'migrate', operation: 'migrate' }, async () =>
    migrate(sql, await loadMigrations(MIGRATIONS_DIR)),
  );
  logger.info('Migrations applied', { applied });
  return { PhysicalResourceId: physicalResourceId, Data: { Applied: applied.join(',') } };
}
