import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { cursorEnv, databaseEnv, readEnv } from './config';
import { measuredSql } from './metrics';
import { CursorCodec } from './pagination';
import { DataApiSql } from './sql/data-api';

/**
 * The SQL port on Aurora through the Data API, from validated env (fails fast at cold start), with every
 * statement counted and timed (SqlStatements, SqlLatency).
 */
export function awsDataApiSql() {
  const env = readEnv(databaseEnv);
  return measuredSql(
    new DataApiSql(new RDSDataClient({ maxAttempts: 3 }), {
      resourceArn: env.DB_CLUSTER_ARN,
      secretArn: env.DB_SECRET_ARN,
      database: env.DB_NAME,
    }),
  );
}

/** Production dependencies of the catalog functions, built once per cold start. */
export function awsCatalogDeps() {
  const { CURSOR_SECRET } = readEnv(cursorEnv);
  return { sql: awsDataApiSql(), cursors: new CursorCodec(CURSOR_SECRET) };
}
