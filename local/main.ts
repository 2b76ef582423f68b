import { resolve } from 'node:path';
import * as z from 'zod';
import { readEnv } from '../lambdas/shared/config';
import { logger } from '../lambdas/shared/powertools';
import { seed, seedOptionsFromEnv } from '../scripts/seed';
import { loadClients } from './auth';
import { docsPages } from './docs';
import { startLocalStack } from './stack';

const env = readEnv({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./.data'),
  IN_MEMORY: z.stringbool().default(false),
  CURSOR_SECRET: z.string().min(32).optional(),
  REPORTING_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('EUR'),
  PROJECTOR_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  THROTTLE_RATE: z.coerce.number().positive().default(500),
  THROTTLE_BURST: z.coerce.number().int().positive().default(1000),
});
const inMemory = env.IN_MEMORY || process.argv.includes('--in-memory');

// Handlers log JSON for CloudWatch; locally the gateway's one line per request is easier to read.
logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN');

async function main() {
  const started = performance.now();
  const clients = loadClients();
  const dataDir = inMemory ? undefined : resolve(env.DATA_DIR);
  const stack = await startLocalStack({
    port: env.PORT,
    host: env.HOST,
    dataDir,
    clients,
    cursorSecret: env.CURSOR_SECRET,
    reportingCurrency: env.REPORTING_CURRENCY,
    projectorIntervalMs: env.PROJECTOR_INTERVAL_MS,
    throttle: { ratePerSecond: env.THROTTLE_RATE, burst: env.THROTTLE_BURST },
    pages: docsPages(),
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
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
    const log = (line: string) => console.log(`${new Date().toISOString()} seed: ${line}`);
    void Promise.resolve()
      .then(() => seed({ ...seedOptionsFromEnv(), url: stack.url, log }))
      .catch((error: unknown) => log(`failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, closing the database...`);
    await stack.close();
    console.log('Stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
