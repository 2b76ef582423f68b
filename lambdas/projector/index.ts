import { awsAggregateStore } from '../shared/aws-dynamo';
import { awsDataApiSql } from '../shared/aws-sql';
import { logger } from '../shared/powertools';
import { Projector } from '../shared/projection/projector';
import { meteredDrain } from './metered-drain';

const sql = awsDataApiSql();
const store = awsAggregateStore();
const projector = new Projector(sql, store);

/** Scheduled (EventBridge): drains the sales outbox into DynamoDB; whatever a request could not project. */
export async function handler() {
  const started = Date.now();
  const projected = await meteredDrain(projector, sql, store);
  logger.info('Outbox drained', { projected, ms: Date.now() - started });
  return { projected };
}
