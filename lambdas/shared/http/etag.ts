import { createHash } from 'node:crypto';

/** A strong ETag of a representation's exact bytes, so GET, If-None-Match and If-Match agree. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether an `If-None-Match` or `If-Match` header value lists this ETag (weak comparison, as RFC 9110 allows for If-None-Match). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}
