import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, stopServer } from './server-process';

type Phase = 'starting' | 'ready' | 'stopping';

/** What became of one request: an HTTP status, a refused connection (nothing listening), or a failure. */
interface Outcome {
  sentWhile: Phase;
  status?: number;
  refused?: true;
  failure?: string;
}

/** One request on its own connection; anything but an answer or a refused connection is a failure. */
function probe(port: number, sentWhile: Phase): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/brands', agent: false, timeout: 60_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ sentWhile, status: res.statusCode ?? 0 }));
        res.on('error', (error) => resolve({ sentWhile, failure: `response: ${error.message}` }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ECONNREFUSED' ? { sentWhile, refused: true } : { sentWhile, failure: error.message },
      ),
    );
    req.end();
  });
}

describe('npm start: every request gets an answer', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'car-sales-start-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('answers requests fired from the first instant of start-up through shutdown', async () => {
    // Arrange: a port known before the process starts, so requests can be fired before it binds.
    const port = await freePort();
    const server = spawnServer({ PORT: String(port), IN_MEMORY: 'true' });
    let phase: Phase = 'starting';
    const outcomes: Outcome[] = [];
    const byClient: Outcome[][] = [];
    let firing = true;
    const answeredWhileReady = () => outcomes.filter((o) => o.sentWhile === 'ready' && o.status).length;

    // Act: four clients fire back to back from before the spawn has bound the port until it has exited.
    const clients = Array.from({ length: 4 }, async (_, client) => {
      byClient[client] = [];
      while (firing) {
        const outcome = await probe(port, phase);
        outcomes.push(outcome);
        byClient[client]?.push(outcome);
        if (outcome.refused) await pause(10); // nothing listens yet, or any more: no busy loop on 2 cores
      }
    });
    await server.ready;
    phase = 'ready';
    while (answeredWhileReady() < 20 && firing) await pause(10);
    phase = 'stopping';
    const exitCode = await stopServer(server);
    firing = false;
    await Promise.all(clients);

    // Assert: until shutdown, nothing but answers (and refusals before the port was bound).
    expect(outcomes.filter((o) => o.failure && o.sentWhile !== 'stopping')).toEqual([]);
    // Requests accepted while the engines were starting waited and got the real answer (401: no token).
    expect(outcomes.filter((o) => o.sentWhile === 'starting' && o.status === 401).length).toBeGreaterThan(0);
    expect(
      new Set(outcomes.filter((o) => o.sentWhile !== 'stopping' && o.status).map((o) => o.status)),
    ).toEqual(new Set([401]));
    // During shutdown: the real answer or 503 while the port drains, then refusals once it has closed. The
    // kernel resets a connection it queued in the instant the port closes (TCP offers no clean way out of
    // that), so each client may see one reset: its last attempt before the refusals, never in between.
    const stopping = outcomes.filter((o) => o.sentWhile === 'stopping');
    expect(stopping.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    expect(stopping.filter((o) => o.status && o.status !== 401 && o.status !== 503)).toEqual([]);
    for (const sequence of byClient) {
      const reset = sequence.findIndex((o) => o.failure);
      if (reset === -1) continue;
      expect(sequence[reset]?.failure).toMatch(/ECONNRESET/);
      expect(sequence.slice(reset + 1).every((o) => o.refused)).toBe(true);
    }
    expect(exitCode).toBe(0);
  }, 120_000);

  it('names PORT when the port is taken, without a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const server = spawnServer({ PORT: String(port), IN_MEMORY: 'true' });

      const exitCode = await server.exited;

      expect(exitCode).toBe(1);
      expect(server.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(server.output()).toMatch(/PORT=\d+ npm start/);
      expect(server.output()).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
    }
  }, 60_000);

  it('stops with the variable named when a setting is invalid, e.g. a currency the API would refuse', async () => {
    // Three capitals, so a mere /^[A-Z]{3}$/ would pass it; no ISO 4217 code, so every request would fail.
    const server = spawnServer({ PORT: '0', IN_MEMORY: 'true', REPORTING_CURRENCY: 'ABC' });

    const exitCode = await server.exited;

    expect(exitCode).toBe(1);
    expect(server.output()).toContain('REPORTING_CURRENCY: must be an ISO 4217 currency code');
    expect(server.output()).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('refuses a second server on the same DATA_DIR, and takes over the lock of one killed with -9', async () => {
    const dataDir = await tempDir();
    const first = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    const firstUrl = await first.ready;
    const firstPid = Number(await readFile(join(dataDir, 'server.lock'), 'utf8'));

    const second = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    const secondExit = await second.exited;

    expect(secondExit).toBe(1);
    expect(second.output()).toContain(
      `DATA_DIR ${dataDir} is in use by another local server (pid ${firstPid})`,
    );
    expect(second.output()).not.toMatch(/^\s+at /m);
    expect((await fetch(`${firstUrl}/brands`)).status).toBe(401); // the first one is unharmed

    process.kill(firstPid, 'SIGKILL'); // the server itself, not tsx's wrapper: no clean-up runs
    await first.exited;
    const third = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    try {
      const thirdUrl = await third.ready;

      expect((await fetch(`${thirdUrl}/brands`)).status).toBe(401);
    } finally {
      await stopServer(third);
    }
  }, 120_000);
});
