import { randomBytes } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { kickByInvoke, kickEnv } from '../projector/kick';
import { Sales } from '../sales/sales';
import { awsAggregateStore } from '../shared/aws-dynamo';
import { awsDataApiSql } from '../shared/aws-sql';
import { readEnv } from '../shared/config';
import { currencyEnv } from '../shared/money';
import { CursorCodec } from '../shared/pagination';
import { Projector } from '../shared/projection/projector';
import { awsIngestDeps } from './aws';
import { workerEnv } from './env';
import { createIngestHandler } from './handler';
import { IngestWorker } from './worker';

const env = readEnv({ ...currencyEnv, ...workerEnv, ...kickEnv });
const sql = awsDataApiSql();
const { statuses, queue } = awsIngestDeps();
// The worker lists nothing, so it hands out no cursors: a key of its own, never shared, is enough.
const cursors = new CursorCodec(randomBytes(32).toString('hex'));
// Like the sales function: a drain starts right after each commit, for what the inline projection leaves.
const projector = new Projector(sql, awsAggregateStore(), {
  kick: kickByInvoke(new LambdaClient({}), env.PROJECTOR_FUNCTION_NAME),
});
const sales = new Sales(sql, projector, cursors, env.REPORTING_CURRENCY);

export const handler = createIngestHandler({
  worker: new IngestWorker(sales, statuses, env.INGEST_WORKER_SETTINGS),
  messages: queue,
});
