import { instrumented, recordMetric } from '../shared/metrics';
import { logger } from '../shared/powertools';
import type { AggregateStore } from '../shared/projection/aggregates';
import type { Projector } from '../shared/projection/projector';
import type { Sql } from '../shared/sql/port';

/**
 * One drain of the outbox as an invocation of the projector (operation `drain`), with what the alarms watch:
 * the backlog (outbox rows and pending changes of bulk writes) and the age of its oldest row before it, and the
 * projection lag it leaves behind (also when the drain fails, so a stuck projector shows as a growing lag rather
 * than as missing data).
 */
export function meteredDrain(projector: Projector, sql: Sql, store: AggregateStore): Promise<number> {
  return instrumented({ service: 'projector', operation: 'drain' }, async () => {
    const backlog = await outboxBacklog(sql);
    recordMetric('OutboxBacklog', backlog.rows);
    recordMetric('OutboxOldestAgeSeconds', backlog.oldestAgeSeconds);
    try {
      return await projector.drain();
    } finally {
      await recordLag(store);
    }
  });
}

async function outboxBacklog(sql: Sql): Promise<{ rows: number; oldestAgeSeconds: number }> {
  const { rows } = await sql.query<{ rows: number; oldestAgeSeconds: number }>(
    `SELECT count(*)::int AS rows,
            coalesce(floor(extract(epoch FROM now() - min(created_at))), 0)::int AS "oldestAgeSeconds"
     FROM (SELECT created_at FROM sales_outbox UNION ALL SELECT created_at FROM sales_pending_changes) AS queued`,
  );
  return rows[0] ?? { rows: 0, oldestAgeSeconds: 0 };
}

async function recordLag(store: AggregateStore): Promise<void> {
  try {
    const asOf = await store.projectedUntil();
    if (asOf !== null)
      recordMetric('ProjectionLagSeconds', Math.max(0, (Date.now() - Date.parse(asOf)) / 1000));
  } catch (error) {
    logger.warn('Could not read the projection asOf for the lag metric', { error: error as Error });
  }
}
