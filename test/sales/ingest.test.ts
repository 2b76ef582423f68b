import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import type { LocalStack } from '../../local/stack';
import { expectData, expectProblem, expectStatus, problemPaths, rawOf } from '../support/api';
import { raw, stackTest } from '../support/fixtures';
import {
  clientsWithOtherWriter,
  count,
  type SaleInput,
  saleOf,
  salesOfModel,
  UNKNOWN_ID,
} from '../support/sales';
import {
  createModel,
  deleteSale,
  listAll,
  modelSales,
  postBatch,
  postSale,
  saleById,
} from '../support/sales-client';

type Sale = Schemas['Sale'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

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

async function dayUnits(modelId: string, day: string): Promise<number> {
  return expectData(await modelSales(reader, modelId, { from: day, to: day })).totals.units;
}

/** A sale the client must record. */
const created = async (client: ApiClient, sale: SaleInput) => expectData(await postSale(client, sale), 201);

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

    const sale = expectData(response, 201);
    expect(sale).toEqual({
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
    expect(response.response.headers.get('location')).toBe(`/sales/${sale.id}`);
    expect(expectData(await saleById(reader, sale.id))).toEqual(sale);
  });

  it('takes submittedBy from the token only: a submittedBy field is an unknown field (400), nothing written', async () => {
    const model = await createModel(admin);

    // Outside the spec on purpose: SaleCreate has no submittedBy.
    const response = await raw(writer).post('/sales', { ...saleOf(model.id), submittedBy: 'demo-admin' });

    const problem = expectProblem(response, 400);
    expect(problemPaths(problem)).toEqual(['body.submittedBy']);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  it('records the submitting client of each writer', async () => {
    const model = await createModel(admin);

    const mine = await created(writer, saleOf(model.id));
    const theirs = await created(otherWriter, saleOf(model.id));
    const admins = await created(admin, saleOf(model.id));

    expect([mine.submittedBy, theirs.submittedBy, admins.submittedBy]).toEqual([
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
      const sale = await created(writer, saleOf(model.id, { unitPrice, ...(currency ? { currency } : {}) }));
      expect([sale.unitPrice, sale.currency], unitPrice).toEqual(want);
    }
  });

  it('accepts a modelId in upper case (UUIDs are case-insensitive)', async () => {
    const model = await createModel(admin);

    const single = await created(writer, saleOf(model.id.toUpperCase()));
    const batch = await postBatch(writer, [saleOf(model.id.toUpperCase())]);

    expect(single.modelId).toBe(model.id);
    expectStatus(batch, 201);
    expect(await salesOfModel(stack.sql, model.id)).toBe(2);
  });

  it('counts a bare date on that UTC day', async () => {
    const model = await createModel(admin);

    const sale = await created(writer, saleOf(model.id, { soldAt: '2025-03-01', quantity: 3 }));

    expect(sale).toMatchObject({ soldAt: '2025-03-01T00:00:00.000Z', saleDay: '2025-03-01' });
    expect(await dayUnits(model.id, '2025-03-01')).toBe(3);
    expect(await dayUnits(model.id, '2025-02-28')).toBe(0);
  });

  it('buckets a time whose offset crosses midnight by its UTC day', async () => {
    const model = await createModel(admin);

    const late = await created(
      writer,
      saleOf(model.id, { soldAt: '2025-03-01T23:30:00-02:00', quantity: 2 }),
    );
    const early = await created(
      writer,
      saleOf(model.id, { soldAt: '2025-03-01T00:30:00+02:00', quantity: 5 }),
    );

    expect(late).toMatchObject({ soldAt: '2025-03-02T01:30:00.000Z', saleDay: '2025-03-02' });
    expect(early).toMatchObject({ soldAt: '2025-02-28T22:30:00.000Z', saleDay: '2025-02-28' });
    expect(await dayUnits(model.id, '2025-03-01')).toBe(0);
    expect(await dayUnits(model.id, '2025-03-02')).toBe(2);
    expect(await dayUnits(model.id, '2025-02-28')).toBe(5);
  });
});

describe('POST /sales validation', () => {
  let model: Schemas['Model'];

  beforeAll(async () => {
    model = await createModel(admin);
  });

  // Field rules (schema) answer 400 like every other malformed body of the API; rules that need the currency
  // or the catalog answer 422 (see openapi.yaml, createSale). Either way the problem lists the field.
  it.each<[string, Partial<SaleInput>, number, string]>([
    ['quantity 0', { quantity: 0 }, 400, 'body.quantity'],
    ['a fractional quantity', { quantity: 1.5 }, 400, 'body.quantity'],
    ['a negative price', { unitPrice: '-1.00' }, 400, 'body.unitPrice'],
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

    const response = await postSale(writer, { ...saleOf(model.id), ...fields });

    expect(problemPaths(expectProblem(response, status))).toEqual([path]);
    expect(await count(stack.sql, 'sales')).toBe(before);
  });

  it('refuses a numeric price listing the field, and writes nothing', async () => {
    const before = await count(stack.sql, 'sales');

    // Outside the spec on purpose: unitPrice is a decimal string.
    const response = await raw(writer).post('/sales', { ...saleOf(model.id), unitPrice: 10 });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.unitPrice']);
    expect(await count(stack.sql, 'sales')).toBe(before);
  });

  it('lists every bad field of one sale at once', async () => {
    const response = await postSale(writer, {
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
    const malformed = await raw(writer).request('POST', '/sales', {
      body: '{"modelId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(problemPaths(expectProblem(malformed, 400))).toEqual(['body']);

    const empty = await raw(writer).request('POST', '/sales', {
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(empty, 400);
  });

  it('answers 400 naming each missing required field', async () => {
    // Outside the spec on purpose: the required fields are missing.
    const response = await raw(writer).post('/sales', { modelId: model.id });

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

    const one = expectData(await postBatch(writer, [saleOf(model.id, { quantity: 7 })]), 201);
    expect(one.items.map((sale) => sale.quantity)).toEqual([7]);

    const sales = Array.from({ length: 1000 }, (_, i) =>
      saleOf(model.id, {
        quantity: (i % 9) + 1,
        unitPrice: `${i}.${String(i % 100).padStart(2, '0')}`,
        soldAt: `2025-03-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z`,
        externalId: `bulk-${i}`,
      }),
    );
    const { items } = expectData(await postBatch(writer, sales), 201);

    expect(items).toHaveLength(1000);
    expect(items.map((sale) => sale.externalId)).toEqual(sales.map((sale) => sale.externalId));
    expect(items.map((sale) => sale.unitPrice)).toEqual(sales.map((sale) => sale.unitPrice));
    expect(new Set(items.map((sale) => sale.id)).size).toBe(1000);
    expect(items.every((sale) => sale.submittedBy === 'demo-writer')).toBe(true);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1001);
  });

  it('refuses a batch with bad items with 422 listing every bad item by index and field; nothing written', async () => {
    const model = await createModel(admin);
    const good = saleOf(model.id);

    // Outside the spec on purpose: a submittedBy field and an item that is not a sale.
    const response = await raw(writer).post('/sales/batch', {
      sales: [
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
      ],
    });

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
    expect(await listAll(reader, { modelId: model.id })).toEqual([]);
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
    expectProblem(await raw(writer).post('/sales/batch', saleOf(model.id)), 400); // outside the spec on purpose
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });
});

describe('externalId', () => {
  it('is unique per client: a resubmission is a 409 naming the existing sale; nothing new written', async () => {
    const model = await createModel(admin);
    const first = await created(writer, saleOf(model.id, { externalId: 'order-42' }));

    const again = await postSale(writer, saleOf(model.id, { externalId: 'order-42', quantity: 9 }));

    const problem = expectProblem(again, 409);
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'body.externalId', existingSaleId: first.id }),
    ]);
    expect(JSON.stringify(problem)).toContain(first.id);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('is refused in a batch when already used, naming the existing sale; nothing written', async () => {
    const model = await createModel(admin);
    const first = await created(writer, saleOf(model.id, { externalId: 'order-43' }));

    const response = await postBatch(writer, [
      saleOf(model.id, { externalId: 'new-1' }),
      saleOf(model.id, { externalId: 'order-43' }),
    ]);

    const problem = expectProblem(response, 409);
    expect(problem.errors).toEqual([
      expect.objectContaining({ path: 'body.sales[1].externalId', existingSaleId: first.id }),
    ]);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);
  });

  it('may be reused by another client', async () => {
    const model = await createModel(admin);
    const mine = await created(writer, saleOf(model.id, { externalId: 'shared-7' }));
    const theirs = await created(otherWriter, saleOf(model.id, { externalId: 'shared-7' }));

    expect(theirs.id).not.toBe(mine.id);
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
    const sale = await created(writer, saleOf(model.id, { soldAt: '2025-04-02', quantity: 4 }));
    await created(writer, saleOf(model.id, { soldAt: '2025-04-02', quantity: 1 }));
    expect(await dayUnits(model.id, '2025-04-02')).toBe(5);

    expectStatus(await deleteSale(writer, sale.id), 204);

    expectProblem(await saleById(reader, sale.id), 404);
    expect(await dayUnits(model.id, '2025-04-02')).toBe(1);
    expectProblem(await deleteSale(writer, sale.id), 404);
  });

  it("refuses another writer (403) and a reader (403), and lets an admin delete anyone's sale", async () => {
    const model = await createModel(admin);
    const sale = await created(otherWriter, saleOf(model.id));

    expect(expectProblem(await deleteSale(writer, sale.id), 403).type).toMatch(/forbidden$/);
    expectProblem(await deleteSale(reader, sale.id), 403);
    expect(await salesOfModel(stack.sql, model.id)).toBe(1);

    expectStatus(await deleteSale(admin, sale.id), 204);
    expect(await salesOfModel(stack.sql, model.id)).toBe(0);
  });

  it('deletes once when the same sale is deleted concurrently: one 204, the others 404', async () => {
    const model = await createModel(admin);
    const sale = await created(writer, saleOf(model.id, { soldAt: '2025-04-03', quantity: 2 }));

    const responses = await Promise.all([writer, writer, admin].map((client) => deleteSale(client, sale.id)));

    expect(responses.map((result) => result.response.status).sort()).toEqual([204, 404, 404]);
    expect(await dayUnits(model.id, '2025-04-03')).toBe(0);
  });

  it('answers 404 to an unknown sale and 400 to a malformed id', async () => {
    expectProblem(await deleteSale(writer, UNKNOWN_ID), 404);
    expectProblem(await deleteSale(writer, 'not-a-uuid'), 400);
  });

  it('keeps a model with sales: deleting it is a 409 until its sales are gone', async () => {
    const model = await createModel(admin);
    const sale = await created(writer, saleOf(model.id));
    const deleteModel = () => admin.DELETE('/models/{modelId}', { params: { path: { modelId: model.id } } });

    expectProblem(await deleteModel(), 409);
    expect(await count(stack.sql, 'models', 'id = :id::uuid', { id: model.id })).toBe(1);

    expectStatus(await deleteSale(writer, sale.id), 204);
    expectStatus(await deleteModel(), 204);
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
      sales.push(...expectData(await postBatch(writer, batch(modelId)), 201).items);
    }
    const ids = (list: Sale[]) => list.map((sale) => sale.id).sort();
    const newestFirst = (list: Sale[]) =>
      list.every(
        (sale, i) =>
          i === 0 ||
          (list[i - 1] as Sale).soldAt > sale.soldAt ||
          ((list[i - 1] as Sale).soldAt === sale.soldAt && (list[i - 1] as Sale).id > sale.id),
      );

    const ofA = await listAll(reader, { modelId: a.id, limit: 7 });
    expect(ids(ofA)).toEqual(ids(sales.filter((sale) => sale.modelId === a.id)));
    expect(newestFirst(ofA)).toBe(true);

    const ofBrand = await listAll(reader, { brandId: brand, limit: 11 });
    expect(ids(ofBrand)).toEqual(ids(sales.filter((sale) => sale.modelId !== elsewhere.id)));
    expect(newestFirst(ofBrand)).toBe(true);

    const window = await listAll(reader, { brandId: brand, from: '2025-05-03', to: '2025-05-05', limit: 4 });
    expect(ids(window)).toEqual(
      ids(
        sales.filter(
          (sale) =>
            sale.modelId !== elsewhere.id && sale.saleDay >= '2025-05-03' && sale.saleDay <= '2025-05-05',
        ),
      ),
    );
    expect(window).toHaveLength(18);

    const day = await listAll(reader, { modelId: b.id, from: '2025-05-10', to: '2025-05-10', limit: 1 });
    expect(day.map((sale) => sale.saleDay)).toEqual(['2025-05-10', '2025-05-10', '2025-05-10']);
  });

  it('refuses a cursor of another query (400) and bad filters (400)', async () => {
    const model = await createModel(admin);
    expectStatus(await postBatch(writer, [saleOf(model.id), saleOf(model.id)]), 201);
    const list = (query: NonNullable<Parameters<typeof listAll>[1]> & { cursor?: string }) =>
      reader.GET('/sales', { params: { query } });
    const first = expectData(await list({ modelId: model.id, limit: 1 }));
    expect(first.nextCursor).toEqual(expect.any(String));

    expectProblem(await list({ limit: 1, cursor: first.nextCursor ?? '' }), 400);
    expectProblem(await list({ from: '2025-13-01' }), 400);
    expectProblem(await list({ modelId: 'nope' }), 400);
  });
});

describe('GET /sales/{id}', () => {
  it('answers 200 with an ETag, 304 to If-None-Match, 404 to an unknown id', async () => {
    const model = await createModel(admin);
    const sale = await created(writer, saleOf(model.id));
    const get = (ifNoneMatch?: string) =>
      reader.GET('/sales/{saleId}', {
        params: {
          path: { saleId: sale.id },
          header: ifNoneMatch === undefined ? undefined : { 'if-none-match': ifNoneMatch },
        },
      });

    const response = await get();
    expect(expectData(response)).toEqual(sale);
    const etag = response.response.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const again = rawOf(await get(etag ?? ''));
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    expectStatus(await get('"other"'), 200);
    expectProblem(await saleById(reader, UNKNOWN_ID), 404);
  });
});
