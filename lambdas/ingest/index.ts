import { randomBytes } from 'node:crypto';
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

const env = readEnv({ ...currencyEnv, ...workerEnv });
const sql = awsDataApiSql();
const { statuses, queue } = awsIngestDeps();
// The worker lists nothing, so it hands out no cursors: a key of its own, never shared, is enough.
const cursors = new CursorCodec(randomBytes(32).toString('hex'));
const sales = new Sales(sql, new Projector(sql, awsAggregateStore()), cursors, env.REPORTING_CURRENCY);

export const handler = createIngestHandler({
  worker: new IngestWorker(sales, statuses, env.INGEST_WORKER_SETTINGS),
  messages: queue,
});
