import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createBrandHandler } from '../lambdas/brand/app';
import { createModelHandler } from '../lambdas/model/app';
import { routes } from '../lambdas/routes';
import { createSalesHandler } from '../lambdas/sales/app';
import {
  CATALOG_CLIENT_DEFAULTS,
  CatalogClient,
  type CatalogClientOptions,
} from '../lambdas/shared/catalog/catalog';
import { InternalCatalogSource } from '../lambdas/shared/catalog/internal';
import { idempotentRunner } from '../lambdas/shared/idempotency';
import { CursorCodec } from '../lambdas/shared/pagination';
import type { AggregateStore } from '../lambdas/shared/projection/aggregates';
import { DynamoAggregateStore } from '../lambdas/shared/projection/dynamo-store';
import { Projector } from '../lambdas/shared/projection/projector';
import type { Sql } from '../lambdas/shared/sql/port';
import { createStatsHandler } from '../lambdas/stats/app';
import { type AppClient, LocalAuthority, loadClients } from './auth';
import { openDatabase, openDynamo } from './engines';
import { createGateway, type GatewayOptions, lambdaContext } from './gateway';
import { LOCAL_TABLES } from './tables';
import { Throttle } from './throttle';

export interface LocalStackOptions {
  /** Where data persists; in memory when absent. */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clients?: AppClient[];
  cursorSecret?: string;
  reportingCurrency?: string;
  /** How often the scheduled projector drains the outbox; 0 turns the timer off (tests drain by hand). */
  projectorIntervalMs?: number;
  /** Catalog client settings of the stats service (cache, timeout, retries, breaker). */
  catalog?: Partial<CatalogClientOptions>;
  log?: (line: string) => void;
  /** Per-client request rate and burst, like the API stage's throttling; unlimited when absent. */
  throttle?: { ratePerSecond: number; burst: number };
  pages?: GatewayOptions['pages'];
  /** Test seams: wrap the engines' adapters, e.g. to inject faults. */
  wrapSql?: (sql: Sql) => Sql;
  wrapStore?: (store: AggregateStore) => AggregateStore;
}

/** The whole API on one machine: embedded engines, the same Lambda handlers, a gateway with local Cognito. */
export async function startLocalStack(options: LocalStackOptions = {}) {
  const database = await openDatabase(options.dataDir);
  const dynamo = await openDynamo(options.dataDir);
  const sql = options.wrapSql?.(database.sql) ?? database.sql;
  const realStore = new DynamoAggregateStore(dynamo.documents, LOCAL_TABLES.aggregates);
  const store = options.wrapStore?.(realStore) ?? realStore;
  const projector = new Projector(sql, store);
  const cursors = new CursorCodec(options.cursorSecret ?? 'local-cursor-secret-not-for-production-use');
  const reportingCurrency = options.reportingCurrency ?? 'EUR';

  const brand = createBrandHandler({ sql, cursors });
  const model = createModelHandler({ sql, cursors });
  const catalog = new CatalogClient(
    new InternalCatalogSource((fn, request) =>
      (fn === 'brand' ? brand : model)(request, lambdaContext(fn, `stats-${randomUUID()}`)),
    ),
    { ...CATALOG_CLIENT_DEFAULTS, ...options.catalog },
  );
  const idempotencyStore = new DynamoDBPersistenceLayer({
    tableName: LOCAL_TABLES.idempotency,
    awsSdkV3Client: dynamo.client,
  });
  const handlers = {
    brand,
    model,
    sales: createSalesHandler({
      sql,
      cursors,
      projector,
      idempotent: idempotentRunner(idempotencyStore),
      reportingCurrency,
    }),
    stats: createStatsHandler({ store, catalog, reportingCurrency }),
  };

  const server: Server = createServer();
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const auth = await LocalAuthority.create({ issuer: url, clients: options.clients ?? loadClients() });
  const throttle = options.throttle && new Throttle(options.throttle.ratePerSecond, options.throttle.burst);
  server.on(
    'request',
    createGateway({ routes, auth, handlers, throttle, log: options.log, pages: options.pages }),
  );

  const interval = options.projectorIntervalMs ?? 5000;
  // Like the deployed schedule with one run at a time: a tick while a drain is still running is skipped.
  let draining: Promise<unknown> | undefined;
  const timer =
    interval > 0
      ? setInterval(() => {
          draining ??= projector
            .drain()
            .catch((error: unknown) => options.log?.(`projector: ${String(error)}`))
            .finally(() => {
              draining = undefined;
            });
        }, interval)
      : undefined;

  async function close() {
    clearInterval(timer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await draining;
    await dynamo.close();
    await database.pglite.close();
  }

  return { url, port, sql, store, projector, catalog, dynamo, auth, close };
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
