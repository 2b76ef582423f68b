import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors';

/**
 * Opaque keyset cursors: the sort key of the last row, bound to the query's filters (a string naming the
 * listing and its filter values), signed with HMAC
 * so a client cannot forge or edit one (a tampered or foreign cursor is a 400, never a wrong page).
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(key: readonly string[], filters: string): string {
    const payload = Buffer.from(JSON.stringify({ k: key, s: filters })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** Returns the key, or throws a ValidationError on a bad or foreign cursor. */
  decode(cursor: string, filters: string): string[] {
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined || !this.verify(payload, signature))
      throw invalidCursor();
    const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!isCursorPayload(decoded) || decoded.s !== filters) throw invalidCursor();
    return decoded.k;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  private verify(payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload));
    const actual = Buffer.from(signature);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

function isCursorPayload(value: unknown): value is { k: string[]; s: string } {
  if (typeof value !== 'object' || value === null) return false;
  // `s` holds the filters (kept from the cursors' first format, so cursors in flight stay valid across a deploy).
  const { k, s } = value as Record<string, unknown>;
  return Array.isArray(k) && k.every((part) => typeof part === 'string') && typeof s === 'string';
}

function invalidCursor() {
  return new ValidationError('The cursor is not valid for this query', [
    { path: 'query.cursor', message: 'must be a nextCursor returned by this same query' },
  ]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Turns `limit + 1` fetched rows into a page and the cursor after its last item. */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => string[],
  codec: CursorCodec,
  filters: string,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? codec.encode(keyOf(last), filters) : null };
}
