import { randomUUID } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createBrandHandler } from '../lambdas/brand/app';
import { DynamoIngestionStatuses } from '../lambdas/ingest/statuses';
import { createModelHandler } from '../lambdas/model/app';
import { createPartnerHandler } from '../lambdas/partner/app';
import { Partners } from '../lambdas/partner/partners';
import { TIERS, type TierLimits } from '../lambdas/partner/tiers';
import { meteredDrain } from '../lambdas/projector/metered-drain';
import { routes } from '../lambdas/routes';
import { createSalesHandler } from '../lambdas/sales/app';
import { SaleEvents } from '../lambdas/sales/events';
import { Sales } from '../lambdas/sales/sales';
import { CatalogClient, type CatalogClientOptions } from '../lambdas/shared/catalog/catalog';
import { InternalCatalogSource } from '../lambdas/shared/catalog/internal';
import { idempotentRunner } from '../lambdas/shared/idempotency';
import { addMetricsSink } from '../lambdas/shared/metrics';
import { CursorCodec } from '../lambdas/shared/pagination';
import type { AggregateStore } from '../lambdas/shared/projection/aggregates';
import { DynamoAggregateStore } from '../lambdas/shared/projection/dynamo-store';
import { Projector } from '../lambdas/shared/projection/projector';
import type { Sql } from '../lambdas/shared/sql/port';
import { createStatsHandler } from '../lambdas/stats/app';
import { DEFAULTS } from '../lib/defaults';
import { type AppClient, LocalAuthority, loadClients } from './auth';
import { lockDataDir } from './data-lock';
import { openDatabase, openDynamo } from './engines';
import { type Admission, createGateway, type GatewayOptions, lambdaContext } from './gateway';
import { listen } from './http-server';
import { withMetricsEndpoint } from './metrics-endpoint';
import { LocalPartnerDirectory } from './partners';
import { PrometheusRegistry } from './prometheus';
import type { SqsHandler } from './queue-poller';
import { type LocalIngestSettings, startLocalIngest } from './queue-worker';
import { RateLimiter } from './rate-limiter';
import { LOCAL_TABLES } from './tables';

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
  /**
   * Per-partner limits of each client's tier (rate, burst, daily quota), as the deployed usage plans apply
   * them; unlimited when absent. `now` (epoch ms) lets a test move the clock.
   */
  limits?: {
    now?: () => number;
    /** Test seam: these limits for every client instead of its tier's. */
    override?: TierLimits;
  };
  pages?: GatewayOptions['pages'];
  /** Called once the port is bound, before the engines start (requests then wait until they are ready). */
  onListening?: (url: string) => void;
  /** Test seams: wrap the engines' adapters, e.g. to inject faults. */
  wrapSql?: (sql: Sql) => Sql;
  wrapStore?: (store: AggregateStore) => AggregateStore;
  /** The events queue and its worker (batch size, concurrency, visibility timeout, breaker). */
  ingest?: Partial<LocalIngestSettings>;
  /** Test seam: wrap the ingest worker's handler, e.g. to crash it. */
  wrapIngestHandler?: (handler: SqsHandler) => SqsHandler;
}

/**
 * The whole API on one machine: embedded engines, the same Lambda handlers, a gateway with local Cognito.
 * The port is bound first and answers from its first instant (requests wait while the engines start, see
 * local/http-server.ts); a data directory is locked against a second server before anything opens it.
 */
export async function startLocalStack(options: LocalStackOptions = {}) {
  const lock = options.dataDir ? await lockDataDir(options.dataDir) : undefined;
  const host = options.host ?? '127.0.0.1';
  const server = await listen(options.port ?? 0, host).catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  options.onListening?.(server.url);
  try {
    const started = await startEngines(options, server.url);
    server.ready(started.gateway);
    return {
      ...started.exposed,
      url: server.url,
      port: server.port,
      async close() {
        await server.close();
        await started.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await server.close('The server failed to start');
    await lock?.release();
    throw error;
  }
}

async function startEngines(options: LocalStackOptions, url: string) {
  const database = await openDatabase(options.dataDir);
  const dynamo = await openDynamo(options.dataDir).catch(async (error: unknown) => {
    await database.pglite.close();
    throw error;
  });
  const sql = options.wrapSql?.(database.sql) ?? database.sql;
  const realStore = new DynamoAggregateStore(dynamo.documents, LOCAL_TABLES.aggregates);
  const store = options.wrapStore?.(realStore) ?? realStore;
  const interval = options.projectorIntervalMs ?? DEFAULTS.projectorInterval.localMs;
  // Like the deployed projector: kicked after every commit (when the schedule runs at all; tests that turn it
  // off drain by hand), one drain at a time, and a kick during a drain runs one more after it.
  const projector = new Projector(sql, store, interval > 0 ? { kick: async () => startDrain() } : {});
  // In AWS the drain runs in its own function; here it shares the thread with the gateway (and PGlite runs each
  // statement synchronously), so it yields before every statement: answers in flight go out between them.
  const backgroundSql = yieldingSql(sql);
  const background = new Projector(backgroundSql, store);
  let draining: Promise<unknown> | undefined;
  let drainAgain = false;
  function startDrain(): void {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = meteredDrain(background, backgroundSql, store)
      .catch((error: unknown) => options.log?.(`projector: ${String(error)}`))
      .finally(() => {
        draining = undefined;
        if (drainAgain) {
          drainAgain = false;
          startDrain();
        }
      });
  }
  const cursors = new CursorCodec(options.cursorSecret ?? 'local-cursor-secret-not-for-production-use');
  const reportingCurrency = options.reportingCurrency ?? DEFAULTS.reportingCurrency;

  const statuses = new DynamoIngestionStatuses(
    dynamo.documents,
    LOCAL_TABLES.ingestions,
    DEFAULTS.ingest.statusRetentionDays,
  );
  const ingest = await startLocalIngest({
    dataDir: options.dataDir,
    sales: new Sales(sql, projector, cursors, reportingCurrency),
    statuses,
    settings: options.ingest,
    wrapHandler: options.wrapIngestHandler,
    log: options.log,
  });

  const brand = createBrandHandler({ sql, cursors });
  const model = createModelHandler({ sql, cursors });
  const catalog = new CatalogClient(
    new InternalCatalogSource((fn, request) =>
      (fn === 'brand' ? brand : model)(request, lambdaContext(fn, `stats-${randomUUID()}`)),
    ),
    { ...DEFAULTS.catalog, ...options.catalog },
  );
  const idempotencyStore = new DynamoDBPersistenceLayer({
    tableName: LOCAL_TABLES.idempotency,
    awsSdkV3Client: dynamo.client,
  });
  const auth = await LocalAuthority.create({
    issuer: url,
    clients: options.clients ?? loadClients(),
    tokenSeconds: DEFAULTS.accessTokenMinutes * 60,
  });
  const partners = await LocalPartnerDirectory.open(auth, options.dataDir);
  const handlers: GatewayOptions['handlers'] = {
    brand,
    model,
    sales: createSalesHandler({
      sql,
      cursors,
      projector,
      idempotent: idempotentRunner(idempotencyStore),
      reportingCurrency,
      events: new SaleEvents({ statuses, queue: ingest.queue, reportingCurrency }),
    }),
    stats: createStatsHandler({ store, catalog, reportingCurrency }),
    partner: createPartnerHandler({ partners: new Partners(partners, cursors) }),
  };

  const limiter = options.limits && new RateLimiter(options.limits.now);
  const admit = (clientId: string, apiKey: string | undefined): Admission => {
    const client = auth.client(clientId);
    if (!client) return { refused: 'api-key', detail: 'Unknown client' };
    if (client.apiKey !== undefined && apiKey !== client.apiKey)
      return { refused: 'api-key', detail: 'Send the API key issued with this partner as x-api-key' };
    return limiter?.take(clientId, options.limits?.override ?? TIERS[client.tier]) ?? { headers: {} };
  };
  const api = createGateway({ routes, auth, handlers, admit, log: options.log, pages: options.pages });
  // What the functions publish as EMF, readable as Prometheus text at GET /metrics (admin scope).
  const metrics = new PrometheusRegistry();
  const stopMetrics = addMetricsSink((document) => metrics.record(document));
  const gateway = withMetricsEndpoint(api, auth, metrics);

  // The schedule: the safety net for a kick that found the store down.
  const timer = interval > 0 ? setInterval(startDrain, interval) : undefined;

  /** After the server has stopped: the engines close once nothing can reach them any more. */
  async function close() {
    clearInterval(timer);
    await ingest.close();
    stopMetrics();
    drainAgain = false;
    while (draining) await draining;
    await dynamo.close();
    await database.pglite.close();
  }

  return {
    gateway,
    close,
    exposed: {
      sql,
      store,
      projector,
      catalog,
      dynamo,
      auth,
      ingest,
      metrics,
      /** One drain as the scheduled projector runs it (with its metrics), for tests that turn the timer off. */
      drain: () => meteredDrain(projector, sql, store),
    },
  };
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

/** `sql` with a turn of the event loop before every statement, inside transactions too. */
function yieldingSql(sql: Sql): Sql {
  return {
    async query(text, params) {
      await new Promise((resolve) => setImmediate(resolve));
      return sql.query(text, params);
    },
    transaction: (work) => sql.transaction((tx) => work(yieldingSql(tx))),
  };
}
