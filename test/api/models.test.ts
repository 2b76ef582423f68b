import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client';
import type { Brand } from '../../lambdas/brand/schemas';
import type { Model } from '../../lambdas/model/schemas';
import type { Page } from '../../lambdas/shared/pagination';
import type { LocalStack } from '../../local/stack';
import { expectProblem, problemPaths } from '../support/api';
import { raw, stackTest } from '../support/fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

let stack: LocalStack;
let admin: ApiClient;

const test = stackTest({ port: 0 });

test.beforeAll(async ({ stack: started, admin: adminClient }) => {
  stack = started;
  admin = adminClient;
});

beforeEach(async () => {
  await stack.sql.query('TRUNCATE brands CASCADE');
});

async function createBrand(name: string): Promise<Brand> {
  const response = await raw(admin).post<Brand>('/brands', { name });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** The model as if created a second ago: a change right after it then always gets a later `updatedAt`. */
async function backdated(model: Model): Promise<Model> {
  await stack.sql.query(
    `UPDATE models SET created_at = created_at - interval '1 second', updated_at = updated_at - interval '1 second'
     WHERE id = :id::uuid`,
    { id: model.id },
  );
  const response = await raw(admin).get<Model>(`/models/${model.id}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

async function createModel(brandId: string, name: string, fields: Partial<Model> = {}): Promise<Model> {
  const response = await raw(admin).post<Model>('/models', { brandId, name, ...fields });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

async function modelCount(): Promise<number> {
  const { rows } = await stack.sql.query<{ count: number }>('SELECT count(*)::int AS count FROM models');
  return rows[0]?.count ?? -1;
}

/** Follows nextCursor from `path` (which has a query string) to the last page. */
async function walk(path: string): Promise<Page<Model>[]> {
  const pages: Page<Model>[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await raw(admin).get<Page<Model>>(`${path}${suffix}`);
    expect(response.status, response.text).toBe(200);
    pages.push(response.body);
    cursor = response.body.nextCursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

describe('POST /models', () => {
  it('creates a model with all fields: 201 with Location and ETag', async () => {
    const brand = await createBrand('Volkswagen');

    const response = await raw(admin).post<Model>('/models', {
      brandId: brand.id,
      name: ' Golf ',
      bodyType: 'hatchback',
      launchYear: 1974,
    });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      brandId: brand.id,
      name: 'Golf',
      bodyType: 'hatchback',
      launchYear: 1974,
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(response.headers.get('location')).toBe(`/models/${response.body.id}`);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('stores bodyType and launchYear as null when they are absent', async () => {
    const brand = await createBrand('Volkswagen');

    const response = await raw(admin).post<Model>('/models', { brandId: brand.id, name: 'ID.3' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ bodyType: null, launchYear: null });
  });

  it('refuses a brandId that names no brand with 422 naming body.brandId', async () => {
    const response = await raw(admin).post('/models', { brandId: UNKNOWN_ID, name: 'Phantom' });

    const problem = expectProblem(response, 422);
    expect(problemPaths(problem)).toEqual(['body.brandId']);
    expect(await modelCount()).toBe(0);
  });

  it('refuses a name the brand already has (case-insensitively) with 409', async () => {
    const brand = await createBrand('Toyota');
    await createModel(brand.id, 'Corolla');

    const response = await raw(admin).post('/models', { brandId: brand.id, name: 'COROLLA ' });

    expect(expectProblem(response, 409).type).toMatch(/conflict$/);
    expect(await modelCount()).toBe(1);
  });

  it('accepts a name another brand already uses', async () => {
    const kia = await createBrand('Kia');
    const hyundai = await createBrand('Hyundai');
    await createModel(kia.id, 'Pride');

    const response = await raw(admin).post<Model>('/models', { brandId: hyundai.id, name: 'pride' });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ brandId: hyundai.id, name: 'pride' });
  });

  it('refuses a name with a NUL character with 400 naming body.name', async () => {
    const brand = await createBrand('Ford');

    const response = await raw(admin).post('/models', { brandId: brand.id, name: 'Model\u0000T' });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.name']);
    expect(await modelCount()).toBe(0);
  });

  it('explains a launchYear of the wrong type with its own message', async () => {
    const brand = await createBrand('Ford');

    const response = await raw(admin).post('/models', {
      brandId: brand.id,
      name: 'Model T',
      launchYear: '1908',
    });

    expect(expectProblem(response, 400).errors).toEqual([
      { path: 'body.launchYear', message: 'must be an integer year' },
    ]);
  });

  it.each([
    ['an unknown bodyType', { bodyType: 'spaceship' }, 'body.bodyType'],
    ['a launchYear before 1886', { launchYear: 1885 }, 'body.launchYear'],
    ['a launchYear after 2100', { launchYear: 2101 }, 'body.launchYear'],
    ['a fractional launchYear', { launchYear: 2000.5 }, 'body.launchYear'],
    ['a launchYear as a string', { launchYear: '2000' }, 'body.launchYear'],
    ['a brandId that is not a UUID', { brandId: 'vw' }, 'body.brandId'],
  ])('refuses %s with 400 naming the field', async (_, fields, path) => {
    const brand = await createBrand('Ford');

    const response = await raw(admin).post('/models', { brandId: brand.id, name: 'Model T', ...fields });

    expect(problemPaths(expectProblem(response, 400))).toEqual([path]);
    expect(await modelCount()).toBe(0);
  });
});

describe('GET /models/{modelId}', () => {
  it('returns the model with an ETag, and 304 for If-None-Match with it', async () => {
    const brand = await createBrand('Mazda');
    const model = await createModel(brand.id, 'MX-5', { bodyType: 'roadster' });

    const response = await raw(admin).get<Model>(`/models/${model.id}`);
    const etag = response.headers.get('etag') ?? '';
    const revalidated = await raw(admin).get(`/models/${model.id}`, { 'if-none-match': etag });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(model);
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
  });

  it('answers 404 for an unknown id', async () => {
    expectProblem(await raw(admin).get(`/models/${UNKNOWN_ID}`), 404);
  });

  it('answers 400 naming path.modelId for a malformed id', async () => {
    expect(problemPaths(expectProblem(await raw(admin).get('/models/abc'), 400))).toEqual(['path.modelId']);
  });
});

describe('PATCH /models/{modelId}', () => {
  it('changes the given fields, clears bodyType with null, keeps the rest and moves updatedAt', async () => {
    const brand = await createBrand('Nissan');
    const model = await backdated(
      await createModel(brand.id, 'Leaf', { bodyType: 'hatchback', launchYear: 2010 }),
    );

    const response = await raw(admin).patch<Model>(`/models/${model.id}`, {
      name: 'Leaf II',
      bodyType: null,
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...model,
      name: 'Leaf II',
      bodyType: null,
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThan(Date.parse(model.updatedAt));
    expect((await raw(admin).get<Model>(`/models/${model.id}`)).body).toEqual(response.body);
  });

  it('leaves updatedAt alone on a no-op PATCH', async () => {
    const brand = await createBrand('Nissan');
    const model = await backdated(await createModel(brand.id, 'Micra', { launchYear: 1982 }));

    const response = await raw(admin).patch<Model>(`/models/${model.id}`, {
      name: 'Micra',
      launchYear: 1982,
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(model);
  });

  it('refuses a name its brand already has with 409 and changes nothing', async () => {
    const brand = await createBrand('Honda');
    await createModel(brand.id, 'Civic');
    const accord = await createModel(brand.id, 'Accord');

    const response = await raw(admin).patch(`/models/${accord.id}`, { name: 'civic' });

    expectProblem(response, 409);
    expect((await raw(admin).get<Model>(`/models/${accord.id}`)).body).toEqual(accord);
  });

  it('refuses a stale If-Match with 412 and applies the current one', async () => {
    const brand = await createBrand('Subaru');
    const model = await createModel(brand.id, 'Impreza');
    const stale = (await raw(admin).get(`/models/${model.id}`)).headers.get('etag') ?? '';
    const changed = await raw(admin).patch(`/models/${model.id}`, { launchYear: 1992 });
    const current = changed.headers.get('etag') ?? '';

    const refused = await raw(admin).patch(
      `/models/${model.id}`,
      { bodyType: 'sedan' },
      { 'if-match': stale },
    );
    const accepted = await raw(admin).patch<Model>(
      `/models/${model.id}`,
      { bodyType: 'wagon' },
      { 'if-match': current },
    );

    expectProblem(refused, 412);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ launchYear: 1992, bodyType: 'wagon' });
  });

  it('refuses moving a model to another brand (brandId is not a patchable field) with 400', async () => {
    const brand = await createBrand('Audi');
    const other = await createBrand('Porsche');
    const model = await createModel(brand.id, 'RS2');

    const response = await raw(admin).patch(`/models/${model.id}`, { brandId: other.id });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.brandId']);
    expect((await raw(admin).get<Model>(`/models/${model.id}`)).body.brandId).toBe(brand.id);
  });

  it('answers 404 for an unknown id', async () => {
    expectProblem(await raw(admin).patch(`/models/${UNKNOWN_ID}`, { name: 'Ghost' }), 404);
  });
});

describe('DELETE /models/{modelId}', () => {
  it('deletes the model: 204, then GET is 404', async () => {
    const brand = await createBrand('Rover');
    const model = await createModel(brand.id, '75');

    const response = await raw(admin).delete(`/models/${model.id}`);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectProblem(await raw(admin).get(`/models/${model.id}`), 404);
  });

  it('answers 404 for an unknown id', async () => {
    expectProblem(await raw(admin).delete(`/models/${UNKNOWN_ID}`), 404);
  });
});

describe('GET /models', () => {
  it('lists only the models of ?brandId=, in case-insensitive name order', async () => {
    const bmw = await createBrand('BMW');
    const mini = await createBrand('Mini');
    for (const name of ['x5', 'M3', 'i3', 'Z4']) await createModel(bmw.id, name);
    await createModel(mini.id, 'Cooper');

    const response = await raw(admin).get<Page<Model>>(`/models?brandId=${bmw.id}`);

    expect(response.status).toBe(200);
    expect(response.body.items.map((model) => model.name)).toEqual(['i3', 'M3', 'x5', 'Z4']);
    expect(response.body.items.every((model) => model.brandId === bmw.id)).toBe(true);
    expect(response.body.nextCursor).toBeNull();
  });

  it('walks all models of all brands in pages, each exactly once, ordered by name then id', async () => {
    const brands = [await createBrand('Alpha'), await createBrand('Beta'), await createBrand('Gamma')];
    const created: Model[] = [];
    for (const [index, brand] of brands.entries()) {
      // The same names in every brand: the keyset must break ties between equal names by id.
      for (const name of ['Sport', 'comfort', 'Base', 'eco']) {
        created.push(await createModel(brand.id, index === 1 ? name.toUpperCase() : name));
      }
    }

    const pages = await walk('/models?limit=5');

    expect(pages.map((page) => page.items.length)).toEqual([5, 5, 2]);
    const seen = pages.flatMap((page) => page.items);
    const key = (model: Model) => `${model.name.toLowerCase()}\u0000${model.id}`;
    const expected = [...created].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(seen.map((model) => model.id)).toEqual(expected.map((model) => model.id));
  });

  it('walks the models of one brand with its cursor', async () => {
    const brand = await createBrand('Lancia');
    const other = await createBrand('Abarth');
    const names = Array.from({ length: 9 }, (_, index) => `Model ${String.fromCharCode(97 + index)}`);
    for (const name of names) await createModel(brand.id, name);
    for (const name of names) await createModel(other.id, name);

    const pages = await walk(`/models?brandId=${brand.id}&limit=4`);

    expect(pages.map((page) => page.items.length)).toEqual([4, 4, 1]);
    const seen = pages.flatMap((page) => page.items);
    expect(seen.map((model) => model.name)).toEqual(names);
    expect(seen.every((model) => model.brandId === brand.id)).toBe(true);
  });

  it("refuses brand A's cursor for brand B (or for no brand) with 400 naming query.cursor", async () => {
    const a = await createBrand('Alfa Romeo');
    const b = await createBrand('Maserati');
    for (const name of ['Giulia', 'Stelvio', 'Tonale']) await createModel(a.id, name);
    for (const name of ['Ghibli', 'Levante', 'Grecale']) await createModel(b.id, name);
    const first = await raw(admin).get<Page<Model>>(`/models?brandId=${a.id}&limit=1`);
    const cursor = encodeURIComponent(first.body.nextCursor ?? '');

    const forB = await raw(admin).get(`/models?brandId=${b.id}&limit=1&cursor=${cursor}`);
    const forAll = await raw(admin).get(`/models?limit=1&cursor=${cursor}`);

    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(problemPaths(expectProblem(forB, 400))).toEqual(['query.cursor']);
    expect(problemPaths(expectProblem(forAll, 400))).toEqual(['query.cursor']);
  });

  it('refuses a brandId that is not a UUID with 400 naming query.brandId', async () => {
    expect(problemPaths(expectProblem(await raw(admin).get('/models?brandId=bmw'), 400))).toEqual([
      'query.brandId',
    ]);
  });
});
