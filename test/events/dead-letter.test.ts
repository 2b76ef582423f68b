/**
 * Events whose every delivery fails end in the dead-letter queue, and none stays pending: their statuses become
 * `rejected` with an `ingestion-failed` reason, even while the database is down (the breaker holds the worker
 * off). An event one of those deliveries did store before crashing is reported `stored` once the database can
 * say so: the status never denies a sale that exists.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import type { SqsHandler } from '../../local/queue-poller';
import { expectData } from '../support/api';
import { stackTest } from '../support/fixtures';
import { switchableOutage } from '../support/outage';

const outage = switchableOutage();
const crash = { afterCommit: false };

/** When armed: the delivery stores its events, then the worker dies before the delete, and the database goes down. */
function crashingAfterCommit(handler: SqsHandler): SqsHandler {
  return async (event, context) => {
    const response = await handler(event, context);
    if (crash.afterCommit) {
      crash.afterCommit = false;
      outage.on = true;
      throw new Error('injected: worker crashed after the commit, before the delete');
    }
    return response;
  };
}

const test = stackTest({
  projectorIntervalMs: 0,
  wrapSql: outage.wrap,
  wrapIngestHandler: crashingAfterCommit,
  ingest: { visibilityTimeoutSeconds: 1, maxReceiveCount: 3, breakerThreshold: 1, breakerOpenMs: 500 },
});

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('events whose deliveries all fail', () => {
  test('are rejected with a reason when they reach the dead-letter queue, the database still down', async ({
    stack,
    admin,
    writer,
  }) => {
    const brand = expectData(await admin.POST('/brands', { body: { name: 'Dead Letter Motors' } }), 201);
    const model = expectData(await admin.POST('/models', { body: { brandId: brand.id, name: 'DL-1' } }), 201);
    const sales = [1, 2].map((day) => ({
      modelId: model.id,
      soldAt: `2025-06-0${day}T09:00:00Z`,
      quantity: 1,
      unitPrice: '15000.00',
    }));
    const before = (await stack.ingest.depth()).deadLetters.visible;
    outage.on = true;
    const accepted = expectData(await writer.POST('/sales/events', { body: { events: sales } }), 202);

    await until('the message in the dead-letter queue', async () => {
      const { queue, deadLetters } = await stack.ingest.depth();
      return deadLetters.visible === before + 1 && queue.visible + queue.inFlight + queue.delayed === 0;
    });
    for (const { ingestionId } of accepted.items) {
      const status = expectData(
        await writer.GET('/sales/events/{ingestionId}', { params: { path: { ingestionId } } }),
      );
      expect(status).toMatchObject({ ingestionId, status: 'rejected', reason: { status: 503 } });
      expect(status.reason?.type).toMatch(/\/ingestion-failed$/);
      expect(status.saleId).toBeUndefined();
    }
    outage.on = false;
    const { rows } = await stack.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sales WHERE model_id = :modelId::uuid',
      { modelId: model.id },
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  test('a sale an earlier delivery stored before crashing reads as stored, not rejected', async ({
    stack,
    admin,
    writer,
  }) => {
    const brand = expectData(await admin.POST('/brands', { body: { name: 'Crash Motors' } }), 201);
    const model = expectData(await admin.POST('/models', { body: { brandId: brand.id, name: 'CR-1' } }), 201);
    const before = (await stack.ingest.depth()).deadLetters.visible;
    crash.afterCommit = true;
    const event = { modelId: model.id, soldAt: '2025-06-03T09:00:00Z', quantity: 2, unitPrice: '9000.00' };
    const [item] = expectData(await writer.POST('/sales/events', { body: { events: [event] } }), 202).items;
    const ingestionId = item?.ingestionId ?? '';

    await until(
      'the message in the dead-letter queue',
      async () => (await stack.ingest.depth()).deadLetters.visible === before + 1,
    );
    expect(outage.on).toBe(true);
    outage.on = false;
    const status = expectData(
      await writer.GET('/sales/events/{ingestionId}', { params: { path: { ingestionId } } }),
    );
    expect(status.status).toBe('stored');
    const sale = expectData(
      await writer.GET('/sales/{saleId}', { params: { path: { saleId: status.saleId ?? '' } } }),
    );
    expect(sale).toMatchObject({ modelId: model.id, quantity: 2 });
  });
});
