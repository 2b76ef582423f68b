import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sale } from '../../lambdas/sales/schemas';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, expectProblem, problemPaths, tokenFor } from '../support/http';
import {
  CSV_HEADER,
  clientFor,
  clientsWithOtherWriter,
  createModel,
  csvOf,
  csvRow,
  listAll,
  postBatch,
  postCsv,
  postSale,
  saleOf,
  salesOfModel,
} from '../support/sales';

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let otherWriter: ApiClient;
let reader: ApiClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, projectorIntervalMs: 0, clients: clientsWithOtherWriter() });
  admin = api(stack, await tokenFor(stack, 'demo-admin'));
  writer = api(stack, await tokenFor(stack, 'demo-writer'));
  reader = api(stack, await tokenFor(stack, 'demo-reader'));
  otherWriter = await clientFor(stack, 'other-writer');
});

afterAll(async () => {
  await stack?.close();
});

const keyed = () => ({ 'idempotency-key': randomUUID() });

describe('Idempotency-Key', () => {
  it('refuses a key longer than 200 characters with 400 naming the header; nothing written', async () => {
    const model = await createModel(admin);

    const response = await postSale(writer, saleOf(model.id), { 'idempotency-key': 'k'.repeat(201) });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['header.idempotency-key']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  it('answers a retry with the same key and body with the first response; one sale exists', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id, { quantity: 3 });

    const first = await postSale(writer, sale, headers);
    const retry = await postSale(writer, sale, headers);

    expect(first.status, first.text).toBe(201);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('location')).toBe(`/sales/${first.body.id}`);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('writes one sale when the first response is lost and the client sends again', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id);

    await postSale(writer, sale, headers); // the answer is "lost"
    const resent = await postSale(writer, sale, headers);

    expect(resent.status, resent.text).toBe(201);
    const stored = await listAll(reader, `modelId=${model.id}`);
    expect(stored.map((each) => each.id)).toEqual([resent.body.id]);
  });

  it('without a key, the same body twice makes two sales', async () => {
    const model = await createModel(admin);
    const sale = saleOf(model.id);

    const [a, b] = [await postSale(writer, sale), await postSale(writer, sale)];

    expect(a.body.id).not.toBe(b.body.id);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  it('refuses the same key with another body with 422, writing nothing more', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    await postSale(writer, saleOf(model.id, { quantity: 1 }), headers);

    const other = await postSale(writer, saleOf(model.id, { quantity: 2 }), headers);

    expect(problemPaths(expectProblem(other, 422))).toEqual(['header.idempotency-key']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('keeps keys of different clients independent', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id);

    const mine = await postSale(writer, sale, headers);
    const theirs = await postSale(otherWriter, sale, headers);
    const theirsAgain = await postSale(otherWriter, sale, headers);

    expect([mine.status, theirs.status, theirsAgain.status]).toEqual([201, 201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.submittedBy).toBe('other-writer');
    expect(theirsAgain.body).toEqual(theirs.body);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  it('keeps keys of different operations independent', async () => {
    const model = await createModel(admin);
    const headers = keyed();

    const single = await postSale(writer, saleOf(model.id), headers);
    const batch = await postBatch(writer, [saleOf(model.id)], headers);

    expect([single.status, batch.status]).toEqual([201, 201]);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  it('does not spend a key on a refused request: the corrected retry is written', async () => {
    const model = await createModel(admin);
    const headers = keyed();

    const refused = await postBatch(writer, [saleOf(model.id, { unitPrice: '1.001' })], headers);
    expectProblem(refused, 422);
    const corrected = await postBatch(writer, [saleOf(model.id, { unitPrice: '1.00' })], headers);

    expect(corrected.status, corrected.text).toBe(201);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('answers concurrent duplicates of one POST with one sale', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id);

    const responses = await Promise.all([1, 2, 3].map(() => postSale(writer, sale, headers)));

    const created = responses.filter((response) => response.status === 201);
    const inFlight = responses.filter((response) => response.status === 409);
    expect(created.length + inFlight.length, responses.map((r) => r.text).join('\n')).toBe(3);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => (response.body as Sale).id)).size).toBe(1);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('replays a batch of 1000 with long externalIds in full', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sales = Array.from({ length: 1000 }, (_, i) =>
      saleOf(model.id, { externalId: `${String(i).padStart(4, '0')}-${'x'.repeat(195)}`, country: 'DE' }),
    );

    const first = await postBatch(writer, sales, headers);
    const retry = await postBatch(writer, sales, headers);

    expect(first.status, first.text.slice(0, 500)).toBe(201);
    expect(retry.status, retry.text.slice(0, 500)).toBe(201);
    expect(retry.body.items.map((sale) => sale.id)).toEqual(first.body.items.map((sale) => sale.id));
    expect(await salesOfModel(stack.sql, model.id)).toBe(1000);
  });

  it('replays a CSV import: the same result and one set of sales', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const csv = csvOf(
      CSV_HEADER,
      Array.from({ length: 20 }, (_, i) => csvRow(saleOf(model.id, { externalId: `csv-${i}` }))),
    );

    const first = await postCsv(writer, csv, headers);
    const retry = await postCsv(writer, csv, headers);
    const changed = await postCsv(writer, `${csv}${csvRow(saleOf(model.id)).join(',')}\n`, headers);

    expect(first.status, first.text).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expectProblem(changed, 422);
    expect(await salesOfModel(stack.sql, model.id)).toBe(20);
  });

  it('answers two concurrent large imports with the same key with one write: 201 + 409, or twice the same 201', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const rows = 10_000;
    const csv = csvOf(
      CSV_HEADER,
      Array.from({ length: rows }, (_, i) =>
        csvRow(
          saleOf(model.id, { soldAt: `2025-06-${String((i % 30) + 1).padStart(2, '0')}`, unitPrice: '1.25' }),
        ),
      ),
    );

    const responses = await Promise.all([postCsv(writer, csv, headers), postCsv(writer, csv, headers)]);

    const statuses = responses.map((response) => response.status).sort();
    if (statuses[1] === 409) {
      expect(statuses).toEqual([201, 409]);
      expect(expectProblem(responses.find((r) => r.status === 409) ?? responses[0], 409).detail).toMatch(
        /in progress/,
      );
    } else {
      expect(statuses).toEqual([201, 201]);
      expect(responses[1]?.body).toEqual(responses[0]?.body);
    }
    expect(responses.find((response) => response.status === 201)?.body).toEqual({ importedRows: rows });
    expect(await salesOfModel(stack.sql, model.id)).toBe(rows);
  });
});
