/**
 * Warm per-request cost of the HTTP stack (middy, Powertools logger context, route lookup, zod validation,
 * ETag, problem+json error mapping): the brand handler in process over a fake SQL port that answers at once,
 * beside a bare async handler doing the same fake lookup and JSON.stringify.
 *
 *   npx tsx bench/middleware.ts [--quick]      BENCH_MW_ITERATIONS (calls per round), BENCH_MW_ROUNDS
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createBrandHandler } from '../lambdas/brand/app';
import { proxyEvent } from '../lambdas/shared/http/proxy-event';
import { CursorCodec } from '../lambdas/shared/pagination';
import type { Row, Sql, SqlParams, SqlResult } from '../lambdas/shared/sql/port';
import { lambdaContext } from '../local/gateway';
import { fmt, median, numberOption } from './lib';
import { type Benchmark, type Check, runAlone } from './report';

/** Warm overhead per request the stack may add to a bare handler (issue #11). */
const TARGET_US = 20;
const BRAND_ID = '3f2b8c1e-5d4a-4c6b-9e7f-1a2b3c4d5e6f';
const ROW = {
  id: BRAND_ID,
  name: 'Adler Motorwerke',
  country: 'DE',
  createdAt: '2025-01-15T09:30:00.000Z',
  updatedAt: '2025-02-01T12:00:00.000Z',
};

/** The SQL port answering every query with the one brand row, at once. */
class FakeSql implements Sql {
  calls = 0;
  async query<R extends object = Row>(_text: string, _params?: SqlParams): Promise<SqlResult<R>> {
    this.calls++;
    return { rows: [{ ...ROW } as unknown as R], affected: 0 };
  }
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return work(this);
  }
}

/** A realistic event as API Gateway hands it over: browser-ish headers, Cognito claims. */
function event(brandId: string): APIGatewayProxyEvent {
  return proxyEvent({
    method: 'GET',
    resource: '/brands/{brandId}',
    path: `/brands/${brandId}`,
    pathParameters: { brandId },
    headers: [
      ['Accept', 'application/json'],
      ['Accept-Encoding', 'gzip, deflate, br'],
      ['Authorization', `Bearer ${'x'.repeat(800)}`],
      ['Host', 'abc123.execute-api.eu-central-1.amazonaws.com'],
      ['User-Agent', 'partner-app/1.4 (+https://example.com)'],
      ['X-Amzn-Trace-Id', 'Root=1-67891233-abcdef012345678912345678'],
      ['X-Forwarded-For', '203.0.113.7'],
      ['X-Forwarded-Port', '443'],
      ['X-Forwarded-Proto', 'https'],
    ],
    body: null,
    claims: { client_id: 'partner-app', scope: 'sales-api/read', token_use: 'access' },
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    stage: 'live',
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The floor: the same lookup and serialization, nothing else. */
function bareHandler(sql: Sql) {
  return async (input: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const id = input.pathParameters?.brandId ?? '';
    if (!UUID.test(id)) {
      return {
        statusCode: 400,
        headers: { 'content-type': 'application/problem+json' },
        body: JSON.stringify({ type: 'validation-error', title: 'Bad Request', status: 400 }),
      };
    }
    const { rows } = await sql.query('SELECT id, name FROM brands WHERE id = :id::uuid', { id });
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rows[0]),
    };
  };
}

type Handler = (input: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * CPU microseconds per call over `iterations` sequential awaited calls: the process's CPU time, not the wall
 * clock, so time this process spends waiting for a core on a shared machine does not count (all of the work is
 * on its main thread).
 */
async function perCall(handler: Handler, input: APIGatewayProxyEvent, iterations: number, status: number) {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const result = await handler(input);
    if (result.statusCode !== status) throw new Error(`Expected ${status}, got ${result.statusCode}`);
  }
  const { user, system } = process.cpuUsage(start);
  return (user + system) / iterations;
}

export const middleware: Benchmark = async ({ scale, log }) => {
  const iterations = Math.round(numberOption('BENCH_MW_ITERATIONS', 2_000, 20_000, scale));
  const rounds = Math.round(numberOption('BENCH_MW_ROUNDS', 5, 15, scale));
  const sql = new FakeSql();
  const brand = createBrandHandler({ sql, cursors: new CursorCodec('bench-cursor-secret-0123456789abcdef') });
  const context = lambdaContext('brand', 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
  const stack: Handler = (input) => brand(input, context);
  const bare = bareHandler(sql);

  const cases = [
    { name: 'GET /brands/{id} → 200', input: event(BRAND_ID), status: 200 },
    {
      name: 'GET /brands/not-a-uuid → 400 (validation, problem+json)',
      input: event('not-a-uuid'),
      status: 400,
    },
  ];
  const checks: Check[] = [];
  const rows: string[][] = [];
  const data: Record<string, unknown> = {};
  for (const { name, input, status } of cases) {
    // Warm-up: JIT, zod's lazily built validators, the logger.
    await perCall(stack, input, iterations, status);
    await perCall(bare, input, iterations, status);
    const stackRounds: number[] = [];
    const bareRounds: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternating order, so drift (GC, a busy neighbour) hits both alike.
      if (round % 2 === 0) {
        stackRounds.push(await perCall(stack, input, iterations, status));
        bareRounds.push(await perCall(bare, input, iterations, status));
      } else {
        bareRounds.push(await perCall(bare, input, iterations, status));
        stackRounds.push(await perCall(stack, input, iterations, status));
      }
    }
    const stackUs = median(stackRounds);
    const bareUs = median(bareRounds);
    const overhead = stackUs - bareUs;
    log(`${name}: stack ${fmt(stackUs)} µs, bare ${fmt(bareUs)} µs, overhead ${fmt(overhead)} µs`);
    checks.push({
      case: `${name}: stack overhead per request`,
      measured: stackUs,
      floor: bareUs,
      unit: 'µs',
      ratio: stackUs / bareUs,
      target: `difference ≤ ${TARGET_US} µs (here ${fmt(overhead)} µs)`,
      pass: overhead <= TARGET_US,
    });
    rows.push([
      name,
      fmt(stackUs),
      fmt(bareUs),
      fmt(overhead),
      fmt(Math.min(...stackRounds)),
      fmt(Math.max(...stackRounds)),
      fmt(1e6 / stackUs, 0),
      fmt(1e6 / bareUs, 0),
    ]);
    data[name] = { stackRounds, bareRounds, iterations };
  }
  return {
    id: 'middleware',
    title: '2. Warm overhead of the middleware stack',
    checks,
    table: {
      columns: [
        'Request',
        'Stack µs/req (median)',
        'Bare µs/req',
        'Overhead µs',
        'Stack min µs',
        'Stack max µs',
        'Stack req/s (one core)',
        'Bare req/s',
      ],
      rows,
    },
    notes: [
      `In process: \`createBrandHandler\` (the real middy stack: Powertools logger context, route table, zod, ETag, error mapping) ` +
        `over a fake SQL port that returns one brand row at once, vs a bare async handler doing the same fake lookup and JSON.stringify ` +
        '(and, for the 400 case, the same UUID check and a small problem body).',
      `${rounds} rounds of ${iterations} sequential awaited calls each (after a warm-up round), stack and bare alternating; ` +
        'per-request times are CPU time (process.cpuUsage, so waiting for a core on a shared machine does not count), ' +
        'medians over rounds; the overhead is their difference.',
      `A realistic API Gateway event (9 headers incl. an 800-byte bearer token, Cognito claims); POWERTOOLS_LOG_LEVEL ${process.env.POWERTOOLS_LOG_LEVEL ?? 'unset (INFO)'}, so nothing is logged per request.`,
    ],
    data,
  };
};

if (require.main === module) runAlone('middleware', middleware);
