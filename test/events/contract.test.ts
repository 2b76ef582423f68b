/**
 * POST /sales/events and GET /sales/events/{ingestionId} over real HTTP on the local stack, with the embedded
 * queue and the ingest worker running as in AWS: 202 once queued, 422 naming each bad index with nothing
 * queued, statuses pending → stored | rejected (with a problem as reason), only for the sender or an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Brand } from '../../lambdas/brand/schemas';
import type { Model } from '../../lambdas/model/schemas';
import type { SqsHandler } from '../../local/queue-poller';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, expectProblem, tokenFor } from '../support/http';

interface Accepted {
  items: { ingestionId: string; status: 'pending' }[];
}
interface Status {
  ingestionId: string;
  status: 'pending' | 'stored' | 'rejected';
  saleId?: string;
  reason?: { type: string; status: number; detail?: string; existingSaleId?: string; errors?: unknown[] };
}

const UNKNOWN_MODEL = '00000000-0000-4000-8000-000000000001';
/** Every other invocation: the handler stores the batch, then crashes before the poller deletes anything. */
const crashes = { afterCommit: false, count: 0 };

function crashingAfterCommit(handler: SqsHandler): SqsHandler {
  return async (event, context) => {
    const response = await handler(event, context);
    if (crashes.afterCommit) {
      crashes.afterCommit = false;
      crashes.count += 1;
      throw new Error('injected: worker crashed after the commit, before the delete');
    }
    return response;
  };
}

describe('POST /sales/events, GET /sales/events/{ingestionId}', () => {
  let stack: LocalStack;
  let writer: ApiClient;
  let reader: ApiClient;
  let admin: ApiClient;
  let model: Model;

  const sale = (i: number, extra: Record<string, unknown> = {}) => ({
    modelId: model.id,
    soldAt: `2025-05-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
    quantity: 1 + (i % 3),
    unitPrice: '19999.90',
    ...extra,
  });

  const statusOf = (client: ApiClient, ingestionId: string) =>
    client.get<Status>(`/sales/events/${ingestionId}`);

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      projectorIntervalMs: 0,
      ingest: { visibilityTimeoutSeconds: 2 },
      wrapIngestHandler: crashingAfterCommit,
    });
    admin = api(stack, await tokenFor(stack, 'demo-admin'));
    writer = api(stack, await tokenFor(stack, 'demo-writer'));
    reader = api(stack, await tokenFor(stack, 'demo-reader'));
    const brand = (await admin.post<Brand>('/brands', { name: 'Queue Motors' })).body;
    model = (await admin.post<Model>('/models', { brandId: brand.id, name: 'Q-1' })).body;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers 202 with one pending ingestion id per event, in order, then stores each once', async () => {
    const events = [sale(1), sale(2, { externalId: 'ev-contract-1 é 𐀀' }), sale(3, { currency: 'USD' })];
    const accepted = await writer.post<Accepted>('/sales/events', { events });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.body.items).toHaveLength(3);
    expect(accepted.body.items.every((item) => item.status === 'pending')).toBe(true);
    expect(new Set(accepted.body.items.map((item) => item.ingestionId)).size).toBe(3);

    await stack.ingest.settled();
    const statuses = await Promise.all(accepted.body.items.map((item) => statusOf(writer, item.ingestionId)));
    for (const status of statuses) {
      expect(status.status, status.text).toBe(200);
      expect(status.body.status).toBe('stored');
    }
    const stored = await Promise.all(
      statuses.map((status) =>
        writer.get<{ quantity: number; currency: string; externalId: string | null }>(
          `/sales/${status.body.saleId}`,
        ),
      ),
    );
    expect(stored.map(({ body }) => [body.quantity, body.currency, body.externalId])).toEqual([
      [2, 'EUR', null],
      [3, 'EUR', 'ev-contract-1 é 𐀀'],
      [1, 'USD', null],
    ]);
  });

  it('validates the whole request first: 422 naming each bad index, and nothing is queued', async () => {
    const before = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
    const response = await writer.post('/sales/events', {
      events: [
        sale(1),
        { ...sale(2), quantity: 0 },
        sale(3),
        { ...sale(4), unitPrice: '1.234', currency: 'EUR' },
      ],
    });
    const problem = expectProblem(response, 422);
    expect((problem.errors ?? []).map((error) => error.path)).toEqual([
      'body.events[1].quantity',
      'body.events[3].unitPrice',
    ]);
    expectProblem(await writer.post('/sales/events', { events: [] }), 400);
    expectProblem(
      await writer.post('/sales/events', { events: Array.from({ length: 501 }, (_, i) => sale(i)) }),
      400,
    );
    expectProblem(await reader.post('/sales/events', { events: [sale(1)] }), 403);

    await stack.ingest.settled();
    const after = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('rejects events the database refuses, one by one, with a problem as reason, and stores the rest', async () => {
    const first = await writer.post<Accepted>('/sales/events', {
      events: [sale(5, { externalId: 'ev-taken' })],
    });
    await stack.ingest.settled();
    const firstStatus = (await statusOf(writer, first.body.items[0]?.ingestionId ?? '')).body;
    expect(firstStatus.status).toBe('stored');

    const accepted = await writer.post<Accepted>('/sales/events', {
      events: [sale(6), { ...sale(7), modelId: UNKNOWN_MODEL }, sale(8, { externalId: 'ev-taken' }), sale(9)],
    });
    expect(accepted.status, accepted.text).toBe(202);
    await stack.ingest.settled();
    const [ok, unknown, taken, last] = await Promise.all(
      accepted.body.items.map(async (item) => (await statusOf(writer, item.ingestionId)).body),
    );
    expect(ok?.status).toBe('stored');
    expect(last?.status).toBe('stored');
    expect(unknown).toMatchObject({ status: 'rejected', reason: { status: 422 } });
    expect(JSON.stringify(unknown?.reason)).toContain('modelId');
    expect(taken).toMatchObject({
      status: 'rejected',
      reason: { status: 409, existingSaleId: firstStatus.saleId },
    });
    expect(unknown?.saleId).toBeUndefined();
  });

  it('never makes a second sale when a delivery crashes after its commit and the message comes back', async () => {
    crashes.afterCommit = true;
    const crashesBefore = crashes.count;
    const accepted = await writer.post<Accepted>('/sales/events', {
      events: [sale(10, { externalId: 'ev-crash-1' }), sale(11)],
    });
    await stack.ingest.settled();
    expect(crashes.count).toBe(crashesBefore + 1);
    const statuses = await Promise.all(
      accepted.body.items.map(async (item) => (await statusOf(writer, item.ingestionId)).body),
    );
    expect(statuses.map((status) => status.status)).toEqual(['stored', 'stored']);
    const { rows } = await stack.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sales WHERE id = ANY(:ids::uuid[])',
      { ids: `{${statuses.map((status) => status.saleId).join(',')}}` },
    );
    expect(rows[0]?.n).toBe(2);
    const byExternalId = await stack.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sales WHERE external_id = 'ev-crash-1'",
    );
    expect(byExternalId.rows[0]?.n).toBe(1);
  });

  it('shows a status only to the client that sent the event, or an admin; others get 404', async () => {
    const accepted = await writer.post<Accepted>('/sales/events', { events: [sale(12)] });
    const id = accepted.body.items[0]?.ingestionId ?? '';
    expect((await statusOf(writer, id)).status).toBe(200);
    expect((await statusOf(admin, id)).status).toBe(200);
    expectProblem(await statusOf(reader, id), 404);
    const [batchId] = id.split('.');
    expectProblem(await statusOf(writer, `${batchId}.1`), 404);
    expectProblem(await statusOf(writer, '7c9e6679-7425-40de-944b-e07fc1f90ae7.0'), 404);
    expectProblem(await statusOf(writer, 'not-an-id'), 400);
    await stack.ingest.settled();
  });
});
