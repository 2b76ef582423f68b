import { describe, expect } from 'vitest';
import { sendRaw } from '../client';
import { expectData, expectProblem } from './support/api';
import { stackTest } from './support/fixtures';

const test = stackTest({ projectorIntervalMs: 0 });
const seen = new Set<string>();

describe('stackTest fixtures', () => {
  test('one stack per file, with typed clients of the demo clients', async ({ stack, admin, reader }) => {
    seen.add(stack.url);
    const brand = expectData(await admin.POST('/brands', { body: { name: 'Fixture Motors' } }), 201);
    expect(brand.name).toBe('Fixture Motors');
    const read = expectData(
      await reader.GET('/brands/{brandId}', { params: { path: { brandId: brand.id } } }),
    );
    expect(read).toEqual(brand);
    expectProblem(await reader.POST('/brands', { body: { name: 'Not Allowed' } }), 403);
  });

  test('the next test gets the same stack and its data', async ({ stack, anonymous, clientOf }) => {
    seen.add(stack.url);
    expect(seen.size).toBe(1);
    const { rows } = await stack.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM brands');
    expect(rows[0]?.n).toBe(1);
    expectProblem(await anonymous.GET('/brands'), 401);
    const readOnly = await clientOf('demo-writer', 'sales-api/read');
    expectProblem(await readOnly.POST('/brands', { body: { name: 'Read Only' } }), 403);
    expectProblem(await sendRaw(stack.url, { method: 'GET', path: '/nope' }), 404);
  });
});
