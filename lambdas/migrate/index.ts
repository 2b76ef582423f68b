import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { awsDataApiSql } from '../shared/aws-sql';
import { readEnv } from '../shared/config';
import { instrumented } from '../shared/metrics';
import { createMigrateHandler } from './handler';

const { MIGRATIONS_DIR } = readEnv({ MIGRATIONS_DIR: z.string().min(1) });
const secrets = new SecretsManagerClient({});

const migrateOnce = createMigrateHandler({
  sql: awsDataApiSql(),
  migrationsDir: MIGRATIONS_DIR,
  async readSecret(arn) {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    if (SecretString === undefined) throw new Error(`Secret ${arn} holds no string`);
    return SecretString;
  },
});

export const handler = (event: Parameters<typeof migrateOnce>[0]) =>
  instrumented({ service: 'migrate', operation: 'migrate' }, () => migrateOnce(event));
