/**
 * POST /sales/events and GET /sales/events/{ingestionId} over real HTTP on the local stack, with the embedded
 * queue and the ingest worker running as in AWS: 202 once queued, 422 naming each bad index with nothing
 * queued, statuses pending → stored | rejected (with a problem as reason), only for the sender or an admin.
 */
import { describe, expect } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import type { SqsHandler } from '../../local/queue-poller';
import { expectData, expectProblem, expectStatus } from '../support/api';
import { stackTest } from '../support/fixtures';

type SaleCreate = Schemas['SaleCreate'];

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

const test = stackTest({
  projectorIntervalMs: 0,
  ingest: { visibilityTimeoutSeconds: 2 },
  wrapIngestHandler: crashingAfterCommit,
});

let model: Schemas['Model'];

test.beforeAll(async ({ admin }) => {
  const brand = expectData(await admin.POST('/brands', { body: { name: 'Queue Motors' } }), 201);
  model = expectData(await admin.POST('/models', { body: { brandId: brand.id, name: 'Q-1' } }), 201);
});

const sale = (i: number, extra: Partial<SaleCreate> = {}): SaleCreate => ({
  modelId: model.id,
  soldAt: `2025-05-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
  quantity: 1 + (i % 3),
  unitPrice: '19999.90',
  ...extra,
});

const statusOf = (client: ApiClient, ingestionId: string) =>
  client.GET('/sales/events/{ingestionId}', { params: { path: { ingestionId } } });

/** The status of an event that must exist for `client`. */
const statusFor = async (client: ApiClient, ingestionId: string) =>
  expectData(await statusOf(client, ingestionId));

const submit = (client: ApiClient, events: SaleCreate[]) =>
  client.POST('/sales/events', { body: { events } });

describe('POST /sales/events, GET /sales/events/{ingestionId}', () => {
  test('answers 202 with one pending ingestion id per event, in order, then stores each once', async ({
    stack,
    writer,
  }) => {
    const events = [sale(1), sale(2, { externalId: 'ev-contract-1 é 𐀀' }), sale(3, { currency: 'USD' })];
    const accepted = expectData(await submit(writer, events), 202);
    expect(accepted.items).toHaveLength(3);
    expect(accepted.items.every((item) => item.status === 'pending')).toBe(true);
    expect(new Set(accepted.items.map((item) => item.ingestionId)).size).toBe(3);

    await stack.ingest.settled();
    const statuses = await Promise.all(accepted.items.map((item) => statusFor(writer, item.ingestionId)));
    for (const status of statuses) expect(status.status).toBe('stored');
    const stored = await Promise.all(
      statuses.map(async (status) =>
        expectData(
          await writer.GET('/sales/{saleId}', { params: { path: { saleId: status.saleId ?? '' } } }),
        ),
      ),
    );
    expect(stored.map((body) => [body.quantity, body.currency, body.externalId])).toEqual([
      [2, 'EUR', null],
      [3, 'EUR', 'ev-contract-1 é 𐀀'],
      [1, 'USD', null],
    ]);
  });

  test('validates the whole request first: 422 naming each bad index, and nothing is queued', async ({
    stack,
    writer,
    reader,
  }) => {
    const before = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
    const response = await submit(writer, [
      sale(1),
      { ...sale(2), quantity: 0 },
      sale(3),
      { ...sale(4), unitPrice: '1.234', currency: 'EUR' },
    ]);
    const problem = expectProblem(response, 422);
    expect((problem.errors ?? []).map((error) => error.path)).toEqual([
      'body.events[1].quantity',
      'body.events[3].unitPrice',
    ]);
    expectProblem(await submit(writer, []), 400);
    expectProblem(
      await submit(
        writer,
        Array.from({ length: 501 }, (_, i) => sale(i)),
      ),
      400,
    );
    expectProblem(await submit(reader, [sale(1)]), 403);

    await stack.ingest.settled();
    const after = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sales');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  test('rejects events the database refuses, one by one, with a problem as reason, and stores the rest', async ({
    stack,
    writer,
  }) => {
    const first = expectData(await submit(writer, [sale(5, { externalId: 'ev-taken' })]), 202);
    await stack.ingest.settled();
    const firstStatus = await statusFor(writer, first.items[0]?.ingestionId ?? '');
    expect(firstStatus.status).toBe('stored');

    const accepted = expectData(
      await submit(writer, [
        sale(6),
        { ...sale(7), modelId: UNKNOWN_MODEL },
        sale(8, { externalId: 'ev-taken' }),
        sale(9),
      ]),
      202,
    );
    await stack.ingest.settled();
    const [ok, unknown, taken, last] = await Promise.all(
      accepted.items.map((item) => statusFor(writer, item.ingestionId)),
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

  test('never makes a second sale when a delivery crashes after its commit and the message comes back', async ({
    stack,
    writer,
  }) => {
    crashes.afterCommit = true;
    const crashesBefore = crashes.count;
    const accepted = expectData(
      await submit(writer, [sale(10, { externalId: 'ev-crash-1' }), sale(11)]),
      202,
    );
    await stack.ingest.settled();
    expect(crashes.count).toBe(crashesBefore + 1);
    const statuses = await Promise.all(accepted.items.map((item) => statusFor(writer, item.ingestionId)));
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

  test('shows a status only to the client that sent the event, or an admin; others get 404', async ({
    stack,
    admin,
    writer,
    reader,
  }) => {
    const accepted = expectData(await submit(writer, [sale(12)]), 202);
    const id = accepted.items[0]?.ingestionId ?? '';
    expectStatus(await statusOf(writer, id), 200);
    expectStatus(await statusOf(admin, id), 200);
    expectProblem(await statusOf(reader, id), 404);
    const [batchId] = id.split('.');
    expectProblem(await statusOf(writer, `${batchId}.1`), 404);
    expectProblem(await statusOf(writer, '7c9e6679-7425-40de-944b-e07fc1f90ae7.0'), 404);
    expectProblem(await statusOf(writer, 'not-an-id'), 400);
    await stack.ingest.settled();
  });
});
