import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { ApiClient, RawResponse } from '../../client';
import type { LocalStack } from '../../local/stack';
import { expectData, expectProblem, expectStatus, problemPaths, rawOf } from '../support/api';
import { stackTest } from '../support/fixtures';
import { CSV_HEADER, clientsWithOtherWriter, csvOf, csvRow, saleOf, salesOfModel } from '../support/sales';
import { createModel, listAll, postBatch, postCsv, postSale } from '../support/sales-client';

let stack: LocalStack;
let admin: ApiClient;
let writer: ApiClient;
let otherWriter: ApiClient;
let reader: ApiClient;

const test = stackTest({ projectorIntervalMs: 0, clients: clientsWithOtherWriter() });

test.beforeAll(async ({ stack: started, admin: all, writer: write, reader: read, clientOf }) => {
  stack = started;
  admin = all;
  writer = write;
  reader = read;
  otherWriter = await clientOf('other-writer');
});

const keyed = () => ({ 'idempotency-key': randomUUID() });

describe('Idempotency-Key', () => {
  test('refuses a key longer than 200 characters with 400 naming the header; nothing written', async () => {
    const model = await createModel(admin);

    const response = await postSale(writer, saleOf(model.id), { 'idempotency-key': 'k'.repeat(201) });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['header.idempotency-key']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  test('answers a retry with the same key and body with the first response; one sale exists', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id, { quantity: 3 });

    const first = expectData(await postSale(writer, sale, headers), 201);
    const retry = rawOf(await postSale(writer, sale, headers));

    expectStatus(retry, 201);
    expect(retry.body).toEqual(first);
    expect(retry.headers.get('location')).toBe(`/sales/${first.id}`);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  test('writes one sale when the first response is lost and the client sends again', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id);

    await postSale(writer, sale, headers); // the answer is "lost"
    const resent = expectData(await postSale(writer, sale, headers), 201);

    const stored = await listAll(reader, { modelId: model.id });
    expect(stored.map((each) => each.id)).toEqual([resent.id]);
  });

  test('without a key, the same body twice makes two sales', async () => {
    const model = await createModel(admin);
    const sale = saleOf(model.id);

    const a = expectData(await postSale(writer, sale), 201);
    const b = expectData(await postSale(writer, sale), 201);

    expect(a.id).not.toBe(b.id);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  test('refuses the same key with another body with 422, writing nothing more', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    await postSale(writer, saleOf(model.id, { quantity: 1 }), headers);

    const other = await postSale(writer, saleOf(model.id, { quantity: 2 }), headers);

    expect(problemPaths(expectProblem(other, 422))).toEqual(['header.idempotency-key']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  test('keeps keys of different clients independent', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id);

    const mine = expectData(await postSale(writer, sale, headers), 201);
    const theirs = expectData(await postSale(otherWriter, sale, headers), 201);
    const theirsAgain = expectData(await postSale(otherWriter, sale, headers), 201);

    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.submittedBy).toBe('other-writer');
    expect(theirsAgain).toEqual(theirs);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  test('keeps keys of different operations independent', async () => {
    const model = await createModel(admin);
    const headers = keyed();

    const single = await postSale(writer, saleOf(model.id), headers);
    const batch = await postBatch(writer, [saleOf(model.id)], headers);

    expect([single.response.status, batch.response.status]).toEqual([201, 201]);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  test('does not spend a key on a refused request: the corrected retry is written', async () => {
    const model = await createModel(admin);
    const headers = keyed();

    const refused = await postBatch(writer, [saleOf(model.id, { unitPrice: '1.001' })], headers);
    expectProblem(refused, 422);
    const corrected = await postBatch(writer, [saleOf(model.id, { unitPrice: '1.00' })], headers);

    expectStatus(corrected, 201);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  test('answers concurrent duplicates of one POST with one sale', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sale = saleOf(model.id);

    const responses = await Promise.all([1, 2, 3].map(() => postSale(writer, sale, headers)));

    const created = responses.filter((result) => result.response.status === 201);
    const inFlight = responses.filter((result) => result.response.status === 409);
    expect(created.length + inFlight.length, responses.map((r) => rawOf(r).text).join('\n')).toBe(3);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((result) => expectData(result, 201).id)).size).toBe(1);
    for (const conflict of inFlight) expectProblem(conflict, 409);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  test('replays a batch of 1000 with long externalIds in full', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const sales = Array.from({ length: 1000 }, (_, i) =>
      saleOf(model.id, { externalId: `${String(i).padStart(4, '0')}-${'x'.repeat(195)}`, country: 'DE' }),
    );

    const first = await postBatch(writer, sales, headers);
    const retry = await postBatch(writer, sales, headers);

    expect(first.response.status, rawOf(first).text.slice(0, 500)).toBe(201);
    expect(retry.response.status, rawOf(retry).text.slice(0, 500)).toBe(201);
    expect(expectData(retry, 201).items.map((sale) => sale.id)).toEqual(
      expectData(first, 201).items.map((sale) => sale.id),
    );
    expect(await salesOfModel(stack.sql, model.id)).toBe(1000);
  });

  test('replays a CSV import: the same result and one set of sales', async () => {
    const model = await createModel(admin);
    const headers = keyed();
    const csv = csvOf(
      CSV_HEADER,
      Array.from({ length: 20 }, (_, i) => csvRow(saleOf(model.id, { externalId: `csv-${i}` }))),
    );

    const first = await postCsv(writer, csv, headers);
    const retry = await postCsv(writer, csv, headers);
    const changed = await postCsv(writer, `${csv}${csvRow(saleOf(model.id)).join(',')}\n`, headers);

    expect(expectData(retry, 201)).toEqual(expectData(first, 201));
    expectProblem(changed, 422);
    expect(await salesOfModel(stack.sql, model.id)).toBe(20);
  });

  test('answers two concurrent large imports with the same key with one write: 201 + 409, or twice the same 201', async () => {
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

    const [one, other] = responses.map(rawOf) as [RawResponse, RawResponse];
    const statuses = [one.status, other.status].sort();
    if (statuses[1] === 409) {
      expect(statuses).toEqual([201, 409]);
      expect(expectProblem(one.status === 409 ? one : other, 409).detail).toMatch(/in progress/);
    } else {
      expect(statuses).toEqual([201, 201]);
      expect(other.body).toEqual(one.body);
    }
    expect((one.status === 201 ? one : other).body).toEqual({ importedRows: rows });
    expect(await salesOfModel(stack.sql, model.id)).toBe(rows);
  });
});
