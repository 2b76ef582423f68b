import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { cursorEnv, databaseEnv, readEnv } from './config';
import { measuredSql } from './metrics';
import { CursorCodec } from './pagination';
import { DataApiSql } from './sql/data-api';
import type { Sql } from './sql/port';

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

/** What the catalog functions (brand, model) and sales read and write through: SQL, and the cursor codec. */
export interface CatalogDeps {
  sql: Sql;
  cursors: CursorCodec;
}

/** Production dependencies of the catalog functions, built once per cold start. */
export function awsCatalogDeps(): CatalogDeps {
  const { CURSOR_SECRET } = readEnv(cursorEnv);
  return { sql: awsDataApiSql(), cursors: new CursorCodec(CURSOR_SECRET) };
}
