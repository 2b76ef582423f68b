/**
 * GET /partners pages like the other lists: oldest first, at most `limit` (1-100) per page, an opaque signed
 * cursor to the next page (null on the last), keyset on (createdAt, clientId) so a partner removed between
 * pages moves no other one. Over real HTTP on the local stack.
 */
import { describe, expect } from 'vitest';
import { expectData, expectProblem, problemPaths } from '../support/api';
import { raw, stackTest } from '../support/fixtures';

const test = stackTest({ projectorIntervalMs: 0 });

describe('GET /partners (paged)', () => {
  test('walks every partner once, oldest first, in pages of the limit', async ({ admin }) => {
    const onboarded: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await admin.POST('/partners', {
        body: { name: `Paged Partner ${i}`, tier: 'sandbox', role: 'reader' },
      });
      onboarded.push(expectData(created, 201).clientId);
    }

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = expectData(await admin.GET('/partners', { params: { query: { limit: 2, cursor } } }));
      sizes.push(page.items.length);
      seen.push(...page.items.map((partner) => partner.clientId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(onboarded);
    const all = expectData(await admin.GET('/partners', { params: { query: { limit: 100 } } }));
    expect(all.items.map((partner) => partner.clientId)).toEqual(onboarded);
    expect(all.nextCursor).toBeNull();
  });

  test('a partner removed between pages moves no other one', async ({ admin }) => {
    const before = expectData(await admin.GET('/partners', { params: { query: { limit: 100 } } }));
    const ids = before.items.map((partner) => partner.clientId);
    expect(ids.length).toBeGreaterThanOrEqual(4);

    const first = expectData(await admin.GET('/partners', { params: { query: { limit: 2 } } }));
    const removed = await admin.DELETE('/partners/{clientId}', {
      params: { path: { clientId: ids[1] ?? '' } },
    });
    const second = expectData(
      await admin.GET('/partners', { params: { query: { limit: 2, cursor: first.nextCursor ?? '' } } }),
    );

    expect(removed.response.status).toBe(204);
    expect(first.items.map((partner) => partner.clientId)).toEqual(ids.slice(0, 2));
    expect(second.items.map((partner) => partner.clientId)).toEqual(ids.slice(2, 4));
  });

  test('refuses a tampered cursor and a limit out of range with 400 naming the field', async ({ admin }) => {
    const first = expectData(await admin.GET('/partners', { params: { query: { limit: 1 } } }));
    const cursor = first.nextCursor ?? '';
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`;

    const badCursor = await raw(admin).get(`/partners?cursor=${encodeURIComponent(tampered)}`);
    const tooMany = await raw(admin).get('/partners?limit=101');
    const foreign = await raw(admin).get(`/brands?cursor=${encodeURIComponent(cursor)}`);

    expect(problemPaths(expectProblem(badCursor, 400))).toEqual(['query.cursor']);
    expect(problemPaths(expectProblem(tooMany, 400))).toEqual(['query.limit']);
    expect(problemPaths(expectProblem(foreign, 400))).toEqual(['query.cursor']);
  });
});
