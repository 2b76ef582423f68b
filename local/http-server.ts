import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, Server as NetServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { problemResponse } from '../lambdas/shared/http/problem';
import { hasErrorCode } from './node-errors';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** `listen` failed because something already listens on the port. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    options?: ErrorOptions,
  ) {
    super(`Port ${port} on ${host} is already in use`, options);
    this.name = 'PortInUseError';
  }
}

/** Timeouts against slow or stuck clients; handlers themselves may run long (a large CSV import). */
export const SERVER_TIMEOUTS = {
  /** Until the request's headers are complete (slowloris). */
  headersTimeout: 10_000,
  /** Until the whole request, body included, has arrived. */
  requestTimeout: 60_000,
  /** An idle keep-alive connection is closed after this; clients reuse it before. */
  keepAliveTimeout: 5_000,
} as const;

/** How long shutdown waits for requests in flight before it cuts their connections. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How long the port keeps answering 503 once shutdown has begun, before it closes. */
const DRAIN_MS = 250;
/** How long a connection without a request may stay open once the port has closed. */
const IDLE_CLOSE_DELAY_MS = 250;

/**
 * The local server's socket, open before the engines start so every request from the first instant gets an
 * answer. Requests that arrive while starting are held and served once `ready` hands over the handler (the
 * engines take a few seconds, and a client that waits gets the real answer instead of an error it has to
 * retry); if start-up fails they get 503. During `close` requests in flight finish; requests that still
 * arrive on open keep-alive connections get 503 with `Connection: close`.
 */
export async function listen(port: number, host: string) {
  let state: 'starting' | 'ready' | 'unavailable' = 'starting';
  let handler: RequestHandler | undefined;
  let unavailableDetail = 'The server is shutting down';
  const waiting: (() => void)[] = [];
  const open = new Set<ServerResponse>();
  const working = new Set<Promise<void>>();

  const server = createServer({ ...SERVER_TIMEOUTS }, (request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    const work = serve(request, response).finally(() => working.delete(work));
    working.add(work);
  });

  async function serve(request: IncomingMessage, response: ServerResponse) {
    if (state === 'starting') await new Promise<void>((resolve) => waiting.push(resolve));
    if (state === 'ready' && handler) return handler(request, response);
    request.resume();
    const answer = problemResponse({
      status: 503,
      type: 'service-unavailable',
      title: 'Service Unavailable',
      detail: unavailableDetail,
      headers: { 'retry-after': '5', connection: 'close' },
    });
    const headers = Object.entries(answer.headers ?? {}).map(([name, value]) => [name, String(value)]);
    response.writeHead(answer.statusCode, Object.fromEntries(headers)).end(answer.body);
  }

  function release() {
    for (const resolve of waiting.splice(0)) resolve();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(hasErrorCode(error, 'EADDRINUSE') ? new PortInUseError(port, host, { cause: error }) : error),
    );
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;

  return {
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    /** Starts serving: held requests first, then every new one. */
    ready(requestHandler: RequestHandler) {
      handler = requestHandler;
      state = 'ready';
      release();
    },
    /**
     * Shuts down in three steps: new requests get 503 while requests in flight finish (cut after a grace
     * period); then the port closes; then the connections left close once their requests are answered.
     */
    async close(detail = 'The server is shutting down') {
      unavailableDetail = detail;
      state = 'unavailable';
      release();
      for (const response of open) if (!response.headersSent) response.setHeader('connection', 'close');
      let cut: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        cut = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, SHUTDOWN_GRACE_MS);
      });
      // Still listening: connections the kernel has queued but Node has not accepted yet would be reset by
      // closing the port now; accepted, they get a 503. A handler stuck past the grace period must not keep
      // the engines open forever.
      await Promise.race([Promise.all([Promise.allSettled(working), delay(DRAIN_MS)]), grace]);
      // http.Server#close would also close idle connections at once, and Node counts a just-accepted
      // connection whose request is still on the wire as idle: it would be reset. So stop listening only
      // (net.Server's close), and close idle connections after their requests had a moment to arrive.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const idle = setTimeout(() => server.closeIdleConnections(), IDLE_CLOSE_DELAY_MS);
      await Promise.race([Promise.all([closed, Promise.allSettled(working)]), grace]);
      clearTimeout(cut);
      clearTimeout(idle);
    },
  };
}

export type LocalServer = Awaited<ReturnType<typeof listen>>;
