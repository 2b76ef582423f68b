import * as z from 'zod/mini';
import { documented } from './schemas';

/**
 * A request id a caller may choose: 1–128 of letters, digits and `._:-` (UUIDs, ULIDs, W3C trace ids and the
 * ids of common gateways fit). Anything else could forge log lines or headers, so it is not used.
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const RequestId = documented(z.string().check(z.regex(REQUEST_ID_PATTERN)), {
  description: 'Request id of the call that caused this one',
});

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex (future versions may add fields). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
const ZEROS = /^0+$/;

/** The trace id of a valid `traceparent` header, else undefined (https://www.w3.org/TR/trace-context/#traceparent-header). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId = '', parentId = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return traceId;
}

/**
 * The request id of a call: the caller's `X-Request-Id` when valid, else the trace id of its `traceparent`,
 * else `generated` (API Gateway's own request id). An invalid caller id is ignored rather than refused: a
 * tracing header never fails a call, and the response's `X-Request-Id` says which id was used.
 */
export function chooseRequestId(
  xRequestId: string | undefined,
  traceparent: string | undefined,
  generated: string,
): string {
  if (xRequestId !== undefined && REQUEST_ID_PATTERN.test(xRequestId)) return xRequestId;
  return traceIdOf(traceparent) ?? generated;
}
