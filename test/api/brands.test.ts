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

async function createBrand(name: string, country?: string): Promise<Brand> {
  const response = await raw(admin).post<Brand>(
    '/brands',
    country === undefined ? { name } : { name, country },
  );
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/**
 * The brand as if created a second ago: a change right after it then always gets a later `updatedAt` (and
 * ETag), without sleeping for the clock to move.
 */
async function backdated(brand: Brand): Promise<Brand> {
  await stack.sql.query(
    `UPDATE brands SET created_at = created_at - interval '1 second', updated_at = updated_at - interval '1 second'
     WHERE id = :id::uuid`,
    { id: brand.id },
  );
  const response = await raw(admin).get<Brand>(`/brands/${brand.id}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

async function brandCount(): Promise<number> {
  const { rows } = await stack.sql.query<{ count: number }>('SELECT count(*)::int AS count FROM brands');
  return rows[0]?.count ?? -1;
}

describe('POST /brands', () => {
  it('creates a brand with a trimmed name and answers 201 with Location and ETag', async () => {
    const response = await raw(admin).post<Brand>('/brands', { name: '  Volkswagen  ', country: 'DE' });

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Volkswagen',
      country: 'DE',
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(response.body.updatedAt).toBe(response.body.createdAt);
    expect(response.headers.get('location')).toBe(`/brands/${response.body.id}`);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('stores country as null when it is absent', async () => {
    const response = await raw(admin).post<Brand>('/brands', { name: 'Stateless' });

    expect(response.status).toBe(201);
    expect(response.body.country).toBeNull();
    const fetched = await raw(admin).get<Brand>(`/brands/${response.body.id}`);
    expect(fetched.body.country).toBeNull();
  });

  it('accepts a name of exactly 100 characters', async () => {
    const name = 'x'.repeat(100);

    const response = await raw(admin).post<Brand>('/brands', { name });

    expect(response.status).toBe(201);
    expect(response.body.name).toBe(name);
  });

  it('refuses a name taken case-insensitively (after trimming) with 409 and creates nothing', async () => {
    await createBrand('Toyota');

    const response = await raw(admin).post('/brands', { name: '  tOYOTA ' });

    const problem = expectProblem(response, 409);
    expect(problem.type).toMatch(/conflict$/);
    expect(await brandCount()).toBe(1);
  });

  it.each([
    ['lower case', 'de'],
    ['unassigned code', 'XX'],
    ['alpha-3', 'DEU'],
    ['null (absent is the way to omit it)', null],
  ])(
    'refuses a country that is not ISO 3166-1 alpha-2 (%s) with 400 naming body.country',
    async (_, country) => {
      const response = await raw(admin).post('/brands', { name: 'Opel', country });

      expect(problemPaths(expectProblem(response, 400))).toEqual(['body.country']);
      expect(await brandCount()).toBe(0);
    },
  );
});

describe('GET /brands/{brandId}', () => {
  it('returns the brand with an ETag', async () => {
    const brand = await createBrand('Skoda', 'CZ');

    const response = await raw(admin).get<Brand>(`/brands/${brand.id}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(response.body).toEqual(brand);
  });

  it('answers 404 problem+json for an unknown id', async () => {
    const problem = expectProblem(await raw(admin).get(`/brands/${UNKNOWN_ID}`), 404);

    expect(problem.detail).toContain(UNKNOWN_ID);
  });

  it('answers 304 with an empty body when If-None-Match has the current ETag', async () => {
    const brand = await createBrand('Seat', 'ES');
    const { headers } = await raw(admin).get(`/brands/${brand.id}`);
    const etag = headers.get('etag') ?? '';

    const response = await raw(admin).get(`/brands/${brand.id}`, { 'if-none-match': etag });

    expect(response.status).toBe(304);
    expect(response.text).toBe('');
    expect(response.headers.get('etag')).toBe(etag);
  });

  it('answers 200 again for the old ETag once the brand was changed', async () => {
    const brand = await backdated(await createBrand('Cupra', 'ES'));
    const oldEtag = (await raw(admin).get(`/brands/${brand.id}`)).headers.get('etag') ?? '';
    expect((await raw(admin).patch(`/brands/${brand.id}`, { country: 'DE' })).status).toBe(200);

    const response = await raw(admin).get<Brand>(`/brands/${brand.id}`, { 'if-none-match': oldEtag });

    expect(response.status).toBe(200);
    expect(response.body.country).toBe('DE');
    expect(response.headers.get('etag')).not.toBe(oldEtag);
  });
});

describe('PATCH /brands/{brandId}', () => {
  it('changes the given fields, keeps the others and moves updatedAt (without If-Match)', async () => {
    const brand = await backdated(await createBrand('Fiat', 'IT'));

    const response = await raw(admin).patch<Brand>(`/brands/${brand.id}`, { name: ' Fiat Auto ' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...brand,
      name: 'Fiat Auto',
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThan(Date.parse(brand.updatedAt));
    expect((await raw(admin).get<Brand>(`/brands/${brand.id}`)).body).toEqual(response.body);
  });

  it('clears the country with null', async () => {
    const brand = await createBrand('Lada', 'RU');

    const response = await raw(admin).patch<Brand>(`/brands/${brand.id}`, { country: null });

    expect(response.status).toBe(200);
    expect(response.body.country).toBeNull();
    expect((await raw(admin).get<Brand>(`/brands/${brand.id}`)).body.country).toBeNull();
  });

  it('leaves updatedAt (and the ETag) alone on a no-op PATCH', async () => {
    const brand = await backdated(await createBrand('Dacia', 'RO'));
    const etag = (await raw(admin).get(`/brands/${brand.id}`)).headers.get('etag');

    const response = await raw(admin).patch<Brand>(`/brands/${brand.id}`, { name: ' Dacia', country: 'RO' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(brand);
    expect(response.headers.get('etag')).toBe(etag);
  });

  it('refuses a stale If-Match with 412 and changes nothing', async () => {
    const brand = await createBrand('Renault', 'FR');
    const staleEtag = (await raw(admin).get(`/brands/${brand.id}`)).headers.get('etag') ?? '';
    expect((await raw(admin).patch(`/brands/${brand.id}`, { name: 'Renault Group' })).status).toBe(200);
    const before = await raw(admin).get<Brand>(`/brands/${brand.id}`);

    const response = await raw(admin).patch(
      `/brands/${brand.id}`,
      { country: 'DE' },
      { 'if-match': staleEtag },
    );

    expect(expectProblem(response, 412).type).toMatch(/precondition-failed$/);
    const after = await raw(admin).get<Brand>(`/brands/${brand.id}`);
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  it('refuses a weak If-Match with 412: If-Match compares strongly (RFC 9110 13.1.1)', async () => {
    const brand = await createBrand('Citroen', 'FR');
    const etag = (await raw(admin).get(`/brands/${brand.id}`)).headers.get('etag') ?? '';

    const response = await raw(admin).patch(
      `/brands/${brand.id}`,
      { country: 'BE' },
      { 'if-match': `W/${etag}` },
    );

    expectProblem(response, 412);
    expect((await raw(admin).get<Brand>(`/brands/${brand.id}`)).body).toEqual(brand);
  });

  it('refuses a name with a NUL character with 400 and changes nothing', async () => {
    const brand = await createBrand('Mazda', 'JP');

    const response = await raw(admin).patch(`/brands/${brand.id}`, { name: 'Ma\u0000zda' });

    expect(problemPaths(expectProblem(response, 400))).toEqual(['body.name']);
    expect((await raw(admin).get<Brand>(`/brands/${brand.id}`)).body).toEqual(brand);
  });

  it('applies the change when If-Match has the current ETag', async () => {
    const brand = await createBrand('Peugeot', 'FR');
    const etag = (await raw(admin).get(`/brands/${brand.id}`)).headers.get('etag') ?? '';

    const response = await raw(admin).patch<Brand>(
      `/brands/${brand.id}`,
      { country: 'BE' },
      { 'if-match': etag },
    );

    expect(response.status).toBe(200);
    expect(response.body.country).toBe('BE');
    expect(response.headers.get('etag')).not.toBe(etag);
    expect(response.headers.get('etag')).toBe(
      (await raw(admin).get(`/brands/${brand.id}`)).headers.get('etag'),
    );
  });

  it('refuses a rename to a name another brand has (case-insensitively) with 409 and changes nothing', async () => {
    await createBrand('Honda');
    const brand = await createBrand('Acura');

    const response = await raw(admin).patch(`/brands/${brand.id}`, { name: 'HONDA' });

    expectProblem(response, 409);
    expect((await raw(admin).get<Brand>(`/brands/${brand.id}`)).body).toEqual(brand);
  });

  it('answers 404 for an unknown id', async () => {
    expectProblem(await raw(admin).patch(`/brands/${UNKNOWN_ID}`, { name: 'Ghost' }), 404);
  });
});

describe('DELETE /brands/{brandId}', () => {
  it('deletes a brand without models: 204, then GET is 404', async () => {
    const brand = await createBrand('Saab', 'SE');

    const response = await raw(admin).delete(`/brands/${brand.id}`);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectProblem(await raw(admin).get(`/brands/${brand.id}`), 404);
  });

  it('answers 404 for an unknown id', async () => {
    expectProblem(await raw(admin).delete(`/brands/${UNKNOWN_ID}`), 404);
  });

  it('refuses with 409 while the brand has models, and deletes it once they are gone', async () => {
    const brand = await createBrand('Volvo', 'SE');
    const model = await raw(admin).post<Model>('/models', { brandId: brand.id, name: 'XC90' });
    expect(model.status).toBe(201);

    const refused = await raw(admin).delete(`/brands/${brand.id}`);

    expect(expectProblem(refused, 409).detail).toMatch(/models/);
    expect((await raw(admin).get(`/brands/${brand.id}`)).status).toBe(200);
    expect((await raw(admin).delete(`/models/${model.body.id}`)).status).toBe(204);
    expect((await raw(admin).delete(`/brands/${brand.id}`)).status).toBe(204);
    expectProblem(await raw(admin).get(`/brands/${brand.id}`), 404);
  });
});

describe('GET /brands', () => {
  /** Mixed-case names of letters only, so case-insensitive order is plain code-point order of lower case. */
  function mixedCaseNames(count: number): string[] {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    return Array.from({ length: count }, (_, index) => {
      const word = `${letters[(index * 7) % 26]}${letters[(index * 11) % 26]}${letters[index % 26]}brand${letters[Math.floor(index / 26)]}`;
      return [...word].map((char, at) => ((index + at) % 3 === 0 ? char.toUpperCase() : char)).join('');
    });
  }

  it('returns the first 20 brands and a nextCursor by default', async () => {
    const names = mixedCaseNames(25);
    for (const name of names) await createBrand(name);

    const response = await raw(admin).get<Page<Brand>>('/brands');

    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(20);
    expect(response.body.nextCursor).toEqual(expect.any(String));
    const expected = [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)).slice(0, 20);
    expect(response.body.items.map((brand) => brand.name)).toEqual(expected);
  });

  it('walks 45 brands in pages of 7: each exactly once, in case-insensitive name order', async () => {
    const names = mixedCaseNames(45);
    for (const name of names) await createBrand(name);

    const pages: Page<Brand>[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await raw(admin).get<Page<Brand>>(`/brands?limit=7${query}`);
      expect(response.status, response.text).toBe(200);
      pages.push(response.body);
      cursor = response.body.nextCursor;
    } while (cursor !== null && pages.length < 20);

    expect(pages.map((page) => page.items.length)).toEqual([7, 7, 7, 7, 7, 7, 3]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    const seen = pages.flatMap((page) => page.items.map((brand) => brand.name));
    const expected = [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(seen).toEqual(expected);
    expect(new Set(pages.flatMap((page) => page.items.map((brand) => brand.id))).size).toBe(45);
  });

  it('answers nextCursor null when the last page is exactly full', async () => {
    for (const name of ['alfa', 'Bravo', 'charlie']) await createBrand(name);

    const response = await raw(admin).get<Page<Brand>>('/brands?limit=3');

    expect(response.status).toBe(200);
    expect(response.body.items.map((brand) => brand.name)).toEqual(['alfa', 'Bravo', 'charlie']);
    expect(response.body.nextCursor).toBeNull();
  });

  it('returns an empty page when there are no brands', async () => {
    const response = await raw(admin).get<Page<Brand>>('/brands');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });
});
