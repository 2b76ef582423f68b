import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../lambdas/model/schemas';
import type { Sale } from '../../lambdas/sales/schemas';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ApiClient, api, expectProblem, problemPaths, tokenFor } from '../support/http';
import {
  clientFor,
  clientsWithOtherWriter,
  count,
  createModel,
  listAll,
  modelSales,
  postBatch,
  postSale,
  saleOf,
  salesOfModel,
  UNKNOWN_ID,
} from '../support/sales';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

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

async function dayUnits(modelId: string, day: string): Promise<number> {
  const response = await modelSales(reader, modelId, `from=${day}&to=${day}`);
  expect(response.status, response.text).toBe(200);
  return response.body.totals.units;
}

describe('POST /sales', () => {
  it('records a sale: 201 with the sale, Location, submittedBy from the token', async () => {
    const model = await createModel(admin);

    const response = await postSale(writer, {
      modelId: model.id,
      soldAt: '2025-03-01T10:15:00+01:00',
      quantity: 2,
      unitPrice: '24999.9',
      currency: 'EUR',
      country: 'DE',
      externalId: 'dealer-1',
    });

    expect(response.status, response.text).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      modelId: model.id,
      soldAt: '2025-03-01T09:15:00.000Z',
      saleDay: '2025-03-01',
      quantity: 2,
      unitPrice: '24999.90',
      currency: 'EUR',
      country: 'DE',
      externalId: 'dealer-1',
      submittedBy: 'demo-writer',
      createdAt: expect.stringMatching(ISO_UTC),
    });
    expect(response.headers.get('location')).toBe(`/sales/${response.body.id}`);
    const fetched = await reader.get<Sale>(`/sales/${response.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(response.body);
  });

  it('takes submittedBy from the token only: a submittedBy field is an unknown field (400), nothing written', async () => {
    const model = await createModel(admin);

    const response = await writer.post('/sales', { ...saleOf(model.id), submittedBy: 'demo-admin' });

    const problem = expectProblem(response, 400);
    expect(problemPaths(problem)).toEqual(['body.submittedBy']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  it('records the submitting client of each writer', async () => {
    const model = await createModel(admin);

    const mine = await postSale(writer, saleOf(model.id));
    const theirs = await postSale(otherWriter, saleOf(model.id));
    const admins = await postSale(admin, saleOf(model.id));

    expect([mine.body.submittedBy, theirs.body.submittedBy, admins.body.submittedBy]).toEqual([
      'demo-writer',
      'other-writer',
      'demo-admin',
    ]);
  });

  it('renders unitPrice in the minor units of its currency and defaults the currency to EUR', async () => {
    const model = await createModel(admin);
    const cases = [
      { unitPrice: '100', currency: undefined, want: ['100.00', 'EUR'] },
      { unitPrice: '0.5', currency: 'EUR', want: ['0.50', 'EUR'] },
      { unitPrice: '1500', currency: 'JPY', want: ['1500', 'JPY'] },
      { unitPrice: '1500.00', currency: 'JPY', want: ['1500', 'JPY'] },
      { unitPrice: '1.5', currency: 'KWD', want: ['1.500', 'KWD'] },
      { unitPrice: '19.9900', currency: 'USD', want: ['19.99', 'USD'] },
    ];
    for (const { unitPrice, currency, want } of cases) {
      const response = await postSale(
        writer,
        saleOf(model.id, { unitPrice, ...(currency ? { currency } : {}) }),
      );
      expect(response.status, response.text).toBe(201);
      expect([response.body.unitPrice, response.body.currency], unitPrice).toEqual(want);
    }
  });

  it('accepts a modelId in upper case (UUIDs are case-insensitive)', async () => {
    const model = await createModel(admin);

    const single = await postSale(writer, saleOf(model.id.toUpperCase()));
    const batch = await postBatch(writer, [saleOf(model.id.toUpperCase())]);

    expect(single.status, single.text).toBe(201);
    expect(single.body.modelId).toBe(model.id);
    expect(batch.status, batch.text).toBe(201);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  it('counts a bare date on that UTC day', async () => {
    const model = await createModel(admin);

    const response = await postSale(writer, saleOf(model.id, { soldAt: '2025-03-01', quantity: 3 }));

    expect(response.status, response.text).toBe(201);
    expect(response.body).toMatchObject({ soldAt: '2025-03-01T00:00:00.000Z', saleDay: '2025-03-01' });
    expect(await dayUnits(model.id, '2025-03-01')).toBe(3);
    expect(await dayUnits(model.id, '2025-02-28')).toBe(0);
  });

  it('buckets a time whose offset crosses midnight by its UTC day', async () => {
    const model = await createModel(admin);

    const late = await postSale(
      writer,
      saleOf(model.id, { soldAt: '2025-03-01T23:30:00-02:00', quantity: 2 }),
    );
    const early = await postSale(
      writer,
      saleOf(model.id, { soldAt: '2025-03-01T00:30:00+02:00', quantity: 5 }),
    );

    expect(late.body).toMatchObject({ soldAt: '2025-03-02T01:30:00.000Z', saleDay: '2025-03-02' });
    expect(early.body).toMatchObject({ soldAt: '2025-02-28T22:30:00.000Z', saleDay: '2025-02-28' });
    expect(await dayUnits(model.id, '2025-03-01')).toBe(0);
    expect(await dayUnits(model.id, '2025-03-02')).toBe(2);
    expect(await dayUnits(model.id, '2025-02-28')).toBe(5);
  });
});

describe('POST /sales validation', () => {
  let model: Model;

  beforeAll(async () => {
    model = await createModel(admin);
  });

  // Field rules (schema) answer 400 like every other malformed body of the API; rules that need the currency
  // or the catalog answer 422 (see openapi.yaml, createSale). Either way the problem lists the field.
  it.each([
    ['quantity 0', { quantity: 0 }, 400, 'body.quantity'],
    ['a fractional quantity', { quantity: 1.5 }, 400, 'body.quantity'],
    ['a negative price', { unitPrice: '-1.00' }, 400, 'body.unitPrice'],
    ['a numeric price', { unitPrice: 10 }, 400, 'body.unitPrice'],
    ['an unknown currency', { currency: 'ABC' }, 400, 'body.currency'],
    ['a lower-case currency', { currency: 'eur' }, 400, 'body.currency'],
    ['a bad country', { country: 'XX' }, 400, 'body.country'],
    ['a lower-case country', { country: 'de' }, 400, 'body.country'],
    ['a soldAt without offset', { soldAt: '2025-03-01T10:00:00' }, 400, 'body.soldAt'],
    ['a malformed modelId', { modelId: 'nope' }, 400, 'body.modelId'],
    ['a price with more decimals than EUR allows', { unitPrice: '1.001' }, 422, 'body.unitPrice'],
    ['a price with decimals in JPY', { unitPrice: '1.5', currency: 'JPY' }, 422, 'body.unitPrice'],
    ['an unknown modelId', { modelId: UNKNOWN_ID }, 422, 'body.modelId'],
  ])('refuses %s listing the field, and writes nothing', async (_, fields, status, path) => {
    const before = await count(stack.sql, 'sales');

    const response = await writer.post('/sales', { ...saleOf(model.id), ...fields });

    expect(problemPaths(expectProblem(response, status))).toEqual([path]);
    expect(await count(stack.sql, 'sales')).toBe(before);
  });

  it('lists every bad field of one sale at once', async () => {
    const response = await writer.post('/sales', {
      ...saleOf(model.id),
      quantity: 0,
      unitPrice: '-1',
      currency: 'ABC',
      country: 'XX',
    });

    expect(problemPaths(expectProblem(response, 400))).toEqual([
      'body.country',
      'body.currency',
      'body.quantity',
      'body.unitPrice',
    ]);
  });

  it('answers 400 to malformed JSON and to a missing body', async () => {
    const malformed = await writer.request('POST', '/sales', {
      body: '{"modelId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(problemPaths(expectProblem(malformed, 400))).toEqual(['body']);

    const empty = await writer.request('POST', '/sales', { headers: { 'content-type': 'application/json' } });
    expectProblem(empty, 400);
  });

  it('answers 400 naming each missing required field', async () => {
    const response = await writer.post('/sales', { modelId: model.id });

    expect(problemPaths(expectProblem(response, 400))).toEqual([
      'body.quantity',
      'body.soldAt',
      'body.unitPrice',
    ]);
  });
});

describe('POST /sales/batch', () => {
  it('records 1 sale and 1000 sales, all returned in request order', async () => {
    const model = await createModel(admin);

    const one = await postBatch(writer, [saleOf(model.id, { quantity: 7 })]);
    expect(one.status, one.text).toBe(201);
    expect(one.body.items.map((sale) => sale.quantity)).toEqual([7]);

    const sales = Array.from({ length: 1000 }, (_, i) =>
      saleOf(model.id, {
        quantity: (i % 9) + 1,
        unitPrice: `${i}.${String(i % 100).padStart(2, '0')}`,
        soldAt: `2025-03-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z`,
        externalId: `bulk-${i}`,
      }),
    );
    const response = await postBatch(writer, sales);

    expect(response.status, response.text).toBe(201);
    expect(response.body.items).toHaveLength(1000);
    expect(response.body.items.map((sale) => sale.externalId)).toEqual(sales.map((sale) => sale.externalId));
    expect(response.body.items.map((sale) => sale.unitPrice)).toEqual(sales.map((sale) => sale.unitPrice));
    expect(new Set(response.body.items.map((sale) => sale.id)).size).toBe(1000);
    expect(response.body.items.every((sale) => sale.submittedBy === 'demo-writer')).toBe(true);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1001);
  });

  it('refuses a batch with bad items with 422 listing every bad item by index and field; nothing written', async () => {
    const model = await createModel(admin);
    const good = saleOf(model.id);

    const response = await postBatch(writer, [
      { ...good, externalId: 'dup' },
      { ...good, quantity: 0 },
      good,
      { ...good, modelId: UNKNOWN_ID },
      { ...good, unitPrice: '1.001' },
      { ...good, country: 'XX', currency: 'ABC' },
      { ...good, externalId: 'dup' },
      { ...good, submittedBy: 'demo-admin' },
      { ...good, unitPrice: '1.5', currency: 'JPY' },
      'not a sale',
    ]);

    const problem = expectProblem(response, 422);
    expect(problemPaths(problem)).toEqual(
      [
        'body.sales[1].quantity',
        'body.sales[3].modelId',
        'body.sales[4].unitPrice',
        'body.sales[5].country',
        'body.sales[5].currency',
        'body.sales[6].externalId',
        'body.sales[7].submittedBy',
        'body.sales[8].unitPrice',
        'body.sales[9].sale',
      ].sort(),
    );
    expect(
      problem.errors?.map((issue) => (issue as { index?: number }).index).sort((a, b) => (a ?? 0) - (b ?? 0)),
    ).toEqual([1, 3, 4, 5, 5, 6, 7, 8, 9]);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
    expect(await listAll(reader, `modelId=${model.id}`)).toEqual([]);
  });

  it('refuses a batch whose only problem is an unknown model, listing each such item; nothing written', async () => {
    const model = await createModel(admin);

    const response = await postBatch(writer, [
      saleOf(model.id),
      saleOf(UNKNOWN_ID),
      saleOf(model.id),
      saleOf(UNKNOWN_ID),
    ]);

    expect(problemPaths(expectProblem(response, 422))).toEqual([
      'body.sales[1].modelId',
      'body.sales[3].modelId',
    ]);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  it('answers 400 to 0 items, 1001 items, and a body without sales', async () => {
    const model = await createModel(admin);

    expect(problemPaths(expectProblem(await postBatch(writer, []), 400))).toEqual(['body.sales']);
    const tooMany = Array.from({ length: 1001 }, () => saleOf(model.id));
    expect(problemPaths(expectProblem(await postBatch(writer, tooMany), 400))).toEqual(['body.sales']);
    expectProblem(await writer.post('/sales/batch', saleOf(model.id)), 400);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });
});

describe('externalId', () => {
  it('is unique per client: a resubmission is a 409 naming the existing sale; nothing new written', async () => {
    const model = await createModel(admin);
    const first = await postSale(writer, saleOf(model.id, { externalId: 'order-42' }));
    expect(first.status, first.text).toBe(201);

    const again = await postSale(writer, saleOf(model.id, { externalId: 'order-42', quantity: 9 }));

    const problem = expectProblem(again, 409);
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'body.externalId', existingSaleId: first.body.id }),
    ]);
    expect(JSON.stringify(problem)).toContain(first.body.id);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('is refused in a batch when already used, naming the existing sale; nothing written', async () => {
    const model = await createModel(admin);
    const first = await postSale(writer, saleOf(model.id, { externalId: 'order-43' }));

    const response = await postBatch(writer, [
      saleOf(model.id, { externalId: 'new-1' }),
      saleOf(model.id, { externalId: 'order-43' }),
    ]);

    const problem = expectProblem(response, 409);
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'body.sales[1].externalId', existingSaleId: first.body.id }),
    ]);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('may be reused by another client', async () => {
    const model = await createModel(admin);
    const mine = await postSale(writer, saleOf(model.id, { externalId: 'shared-7' }));
    const theirs = await postSale(otherWriter, saleOf(model.id, { externalId: 'shared-7' }));

    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  it('may not repeat within one batch: 422 naming the repeat; nothing written', async () => {
    const model = await createModel(admin);

    const response = await postBatch(writer, [
      saleOf(model.id, { externalId: 'a' }),
      saleOf(model.id, { externalId: 'b' }),
      saleOf(model.id, { externalId: 'a' }),
    ]);

    expect(problemPaths(expectProblem(response, 422))).toEqual(['body.sales[2].externalId']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });
});

describe('DELETE /sales/{id}', () => {
  it('lets the submitting writer delete its sale (204, then 404), and the figures drop', async () => {
    const model = await createModel(admin);
    const sale = await postSale(writer, saleOf(model.id, { soldAt: '2025-04-02', quantity: 4 }));
    await postSale(writer, saleOf(model.id, { soldAt: '2025-04-02', quantity: 1 }));
    expect(await dayUnits(model.id, '2025-04-02')).toBe(5);

    expect((await writer.delete(`/sales/${sale.body.id}`)).status).toBe(204);

    expectProblem(await reader.get(`/sales/${sale.body.id}`), 404);
    expect(await dayUnits(model.id, '2025-04-02')).toBe(1);
    expectProblem(await writer.delete(`/sales/${sale.body.id}`), 404);
  });

  it("refuses another writer (403) and a reader (403), and lets an admin delete anyone's sale", async () => {
    const model = await createModel(admin);
    const sale = await postSale(otherWriter, saleOf(model.id));

    expect(expectProblem(await writer.delete(`/sales/${sale.body.id}`), 403).type).toMatch(/forbidden$/);
    expectProblem(await reader.delete(`/sales/${sale.body.id}`), 403);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);

    expect((await admin.delete(`/sales/${sale.body.id}`)).status).toBe(204);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  it('deletes once when the same sale is deleted concurrently: one 204, the others 404', async () => {
    const model = await createModel(admin);
    const sale = await postSale(writer, saleOf(model.id, { soldAt: '2025-04-03', quantity: 2 }));

    const responses = await Promise.all(
      [writer, writer, admin].map((client) => client.delete(`/sales/${sale.body.id}`)),
    );

    expect(responses.map((response) => response.status).sort()).toEqual([204, 404, 404]);
    expect(await dayUnits(model.id, '2025-04-03')).toBe(0);
  });

  it('answers 404 to an unknown sale and 400 to a malformed id', async () => {
    expectProblem(await writer.delete(`/sales/${UNKNOWN_ID}`), 404);
    expectProblem(await writer.delete('/sales/not-a-uuid'), 400);
  });

  it('keeps a model with sales: deleting it is a 409 until its sales are gone', async () => {
    const model = await createModel(admin);
    const sale = await postSale(writer, saleOf(model.id));

    expectProblem(await admin.delete(`/models/${model.id}`), 409);
    expect(await count(stack.sql, 'models', 'id = :id::uuid', { id: model.id })).toBe(1);

    expect((await writer.delete(`/sales/${sale.body.id}`)).status).toBe(204);
    expect((await admin.delete(`/models/${model.id}`)).status).toBe(204);
  });
});

describe('GET /sales', () => {
  it('filters by modelId, brandId, from and to, and pages by keyset without duplicates or gaps', async () => {
    const brand = (await createModel(admin)).brandId;
    const a = await createModel(admin, brand);
    const b = await createModel(admin, brand);
    const elsewhere = await createModel(admin);
    const sales: Sale[] = [];
    const batch = (modelId: string) =>
      Array.from({ length: 30 }, (_, i) =>
        saleOf(modelId, {
          // Several sales share one instant, so the keyset must break ties by id.
          soldAt: `2025-05-${String((i % 10) + 1).padStart(2, '0')}T${String(i % 3).padStart(2, '0')}:00:00Z`,
        }),
      );
    for (const modelId of [a.id, b.id, elsewhere.id]) {
      const response = await postBatch(writer, batch(modelId));
      expect(response.status, response.text).toBe(201);
      sales.push(...response.body.items);
    }
    const ids = (list: Sale[]) => list.map((sale) => sale.id).sort();
    const newestFirst = (list: Sale[]) =>
      list.every(
        (sale, i) =>
          i === 0 ||
          (list[i - 1] as Sale).soldAt > sale.soldAt ||
          ((list[i - 1] as Sale).soldAt === sale.soldAt && (list[i - 1] as Sale).id > sale.id),
      );

    const ofA = await listAll(reader, `modelId=${a.id}&limit=7`);
    expect(ids(ofA)).toEqual(ids(sales.filter((sale) => sale.modelId === a.id)));
    expect(newestFirst(ofA)).toBe(true);

    const ofBrand = await listAll(reader, `brandId=${brand}&limit=11`);
    expect(ids(ofBrand)).toEqual(ids(sales.filter((sale) => sale.modelId !== elsewhere.id)));
    expect(newestFirst(ofBrand)).toBe(true);

    const window = await listAll(reader, `brandId=${brand}&from=2025-05-03&to=2025-05-05&limit=4`);
    expect(ids(window)).toEqual(
      ids(
        sales.filter(
          (sale) =>
            sale.modelId !== elsewhere.id && sale.saleDay >= '2025-05-03' && sale.saleDay <= '2025-05-05',
        ),
      ),
    );
    expect(window).toHaveLength(18);

    const day = await listAll(reader, `modelId=${b.id}&from=2025-05-10&to=2025-05-10&limit=1`);
    expect(day.map((sale) => sale.saleDay)).toEqual(['2025-05-10', '2025-05-10', '2025-05-10']);
  });

  it('refuses a cursor of another query (400) and bad filters (400)', async () => {
    const model = await createModel(admin);
    await postBatch(writer, [saleOf(model.id), saleOf(model.id)]);
    const first = await reader.get<{ nextCursor: string }>(`/sales?modelId=${model.id}&limit=1`);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    expectProblem(
      await reader.get(`/sales?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`),
      400,
    );
    expectProblem(await reader.get('/sales?from=2025-13-01'), 400);
    expectProblem(await reader.get('/sales?modelId=nope'), 400);
  });
});

describe('GET /sales/{id}', () => {
  it('answers 200 with an ETag, 304 to If-None-Match, 404 to an unknown id', async () => {
    const model = await createModel(admin);
    const sale = await postSale(writer, saleOf(model.id));

    const response = await reader.get<Sale>(`/sales/${sale.body.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(sale.body);
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const again = await reader.get(`/sales/${sale.body.id}`, { 'if-none-match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    expect((await reader.get(`/sales/${sale.body.id}`, { 'if-none-match': '"other"' })).status).toBe(200);
    expectProblem(await reader.get(`/sales/${UNKNOWN_ID}`), 404);
  });
});
