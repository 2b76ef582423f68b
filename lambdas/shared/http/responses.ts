import type { ApiResult } from './api-handler';
import { etagMatches, etagOf } from './etag';

export const ok = (body: unknown): ApiResult => ({ status: 200, body });
export const created = (body: unknown, location: string): ApiResult => ({
  status: 201,
  body,
  headers: { location },
});
export const noContent = (): ApiResult => ({ status: 204 });

/** An If-Match precondition over a resource's current representation (same ETag as its GET). */
export function ifMatch(header: string | undefined) {
  return (current: unknown) =>
    header === undefined || etagMatches(header, etagOf(JSON.stringify(current)), 'strong');
}
