import { hash } from 'node:crypto';

/** A strong ETag of a representation's exact bytes, so GET, If-None-Match and If-Match agree. */
export function etagOf(body: string): string {
  return `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` or `If-Match` header value lists this ETag. RFC 9110 13.1: If-None-Match uses the
 * weak comparison (the default); If-Match must use the strong one, where a weak tag never matches.
 */
export function etagMatches(
  header: string | undefined,
  etag: string,
  comparison: 'weak' | 'strong' = 'weak',
): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  if (comparison === 'strong') {
    return !etag.startsWith('W/') && header.split(',').some((candidate) => candidate.trim() === etag);
  }
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}
