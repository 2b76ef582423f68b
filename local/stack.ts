import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBrandHandler } from '../lambdas/brand/app';
import { createModelHandler } from '../lambdas/model/app';
import { routes } from '../lambdas/routes';
import { CursorCodec } from '../lambdas/shared/pagination';
import { type AppClient, LocalAuthority, loadClients } from './auth';
import { openDatabase } from './engines';
import { createGateway, type GatewayOptions } from './gateway';

export interface LocalStackOptions {
  /** Where data persists; in memory when absent. */
  dataDir?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clients?: AppClient[];
  cursorSecret?: string;
  log?: (line: string) => void;
  pages?: GatewayOptions['pages'];
}

/** The whole API on one machine: embedded engines, the same Lambda handlers, a gateway with local Cognito. */
export async function startLocalStack(options: LocalStackOptions = {}) {
  const { pglite, sql } = await openDatabase(options.dataDir);
  const server: Server = createServer();
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const auth = await LocalAuthority.create({ issuer: url, clients: options.clients ?? loadClients() });
  const cursors = new CursorCodec(options.cursorSecret ?? 'local-cursor-secret-not-for-production-use');
  const deps = { sql, cursors };
  server.on(
    'request',
    createGateway({
      routes,
      auth,
      handlers: { brand: createBrandHandler(deps), model: createModelHandler(deps) },
      log: options.log,
      pages: options.pages,
    }),
  );

  async function close() {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await pglite.close();
  }

  return { url, port, sql, auth, close };
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
