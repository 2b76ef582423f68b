import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import dynalite from 'dynalite';
import { measuredSql } from '../lambdas/shared/metrics';
import { loadMigrations, migrate } from '../lambdas/shared/sql/migrations';
import { PgliteSql } from '../lambdas/shared/sql/pglite';
import { createLocalTables, localDynamoClient } from './tables';

export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/**
 * Opens embedded PostgreSQL (on disk under `dataDir`, or in memory) with every migration applied; its SQL port
 * counts and times statements as the deployed one does.
 */
export async function openDatabase(dataDir?: string) {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ? join(dataDir, 'postgres') : undefined);
  // In memory, zero-filling each new 16 MB WAL segment preallocates nothing and costs 30-90 ms (the file grows
  // in steps, copied each time), charged to whichever commit crosses a segment boundary.
  if (!dataDir) await pglite.exec('SET wal_init_zero = off');
  const sql = measuredSql(new PgliteSql(pglite));
  await migrate(sql, await loadMigrations(MIGRATIONS_DIR));
  return { pglite, sql };
}

/** Starts embedded DynamoDB (dynalite, on disk under `dataDir` or in memory) with the local tables. */
export async function openDynamo(dataDir?: string) {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const server: Server = dynalite({
    path: dataDir ? join(dataDir, 'dynamodb') : undefined,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { client, documents } = localDynamoClient(endpoint);
  await createLocalTables(client);
  const close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { endpoint, client, documents, close };
}
