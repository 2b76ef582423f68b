/**
 * Request ids end to end, over real HTTP on the local stack: a caller's valid X-Request-Id (or the trace id of
 * a W3C traceparent) is the request's id: answered in X-Request-Id and problem bodies, passed to the catalog
 * lookups and the queued events, and on the log lines of the stats, catalog and ingest functions. An invalid
 * one is ignored, never refused.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseRequestId, traceIdOf } from '../../lambdas/shared/request-id';
import { expectData, expectProblem } from '../support/api';
import { raw, stackTest } from '../support/fixtures';
import { brandWithModel } from './catalog';

// The logger reads its level once, at import (the Lambda middleware goes back to it on every invocation).
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const test = stackTest({ projectorIntervalMs: 0 });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const RANGE = 'from=2025-01-01&to=2025-12-31';

type LogLine = Record<string, unknown>;

/** The JSON lines the logger writes (Powertools: warnings and errors to stderr, the rest to stdout). */
function captureLogs(): LogLine[] {
  const lines: LogLine[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk, ...rest: unknown[]) => {
      const text = String(chunk);
      if (!text.startsWith('{')) return write(chunk, ...(rest as []));
      for (const line of text.split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      return true;
    });
  }
  return lines;
}

describe('Function: chooseRequestId', () => {
  it('takes a valid X-Request-Id, else the trace id of a valid traceparent, else the generated id', () => {
    expect(chooseRequestId('partner-42.a_b:c', TRACEPARENT, 'gw')).toBe('partner-42.a_b:c');
    expect(chooseRequestId(undefined, TRACEPARENT, 'gw')).toBe(TRACE_ID);
    expect(chooseRequestId('has spaces', TRACEPARENT, 'gw')).toBe(TRACE_ID);
    expect(chooseRequestId('x'.repeat(129), undefined, 'gw')).toBe('gw');
    expect(chooseRequestId('', undefined, 'gw')).toBe('gw');
    expect(chooseRequestId('line\nbreak', undefined, 'gw')).toBe('gw');
    expect(chooseRequestId('x'.repeat(128), undefined, 'gw')).toBe('x'.repeat(128));
  });

  it('accepts only traceparents the W3C recommendation allows', () => {
    expect(traceIdOf(TRACEPARENT)).toBe(TRACE_ID);
    expect(traceIdOf(`01-${TRACE_ID}-00f067aa0ba902b7-01-future`)).toBe(TRACE_ID);
    expect(traceIdOf(`00-${TRACE_ID}-00f067aa0ba902b7-01-extra`)).toBeUndefined();
    expect(traceIdOf(`ff-${TRACE_ID}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdOf(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdOf(`00-${TRACE_ID}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(traceIdOf(`00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(traceIdOf('garbage')).toBeUndefined();
  });
});

describe('request ids over HTTP (local stack)', () => {
  let lines: LogLine[];

  beforeEach(() => {
    lines = captureLogs();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('answers a valid X-Request-Id in the header and in problem bodies', async ({ reader }) => {
    const ok = await raw(reader).get('/brands?limit=1', { 'x-request-id': 'client-req.0001' });
    const missing = await raw(reader).get('/brands/00000000-0000-4000-8000-000000000000', {
      'x-request-id': 'client-req.0002',
    });

    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('client-req.0001');
    expect(expectProblem(missing, 404).requestId).toBe('client-req.0002');
  });

  test('answers it on a 304 too', async ({ reader }) => {
    const first = await raw(reader).get('/brands?limit=1');
    const etag = first.headers.get('etag') ?? '';

    const notModified = await raw(reader).get('/brands?limit=1', {
      'if-none-match': etag,
      'x-request-id': 'client-req.0003',
    });

    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('x-request-id')).toBe('client-req.0003');
  });

  test('ignores an invalid X-Request-Id: the call succeeds with an id of its own', async ({ reader }) => {
    const sent = 'not valid: has spaces and "quotes"';
    const response = await raw(reader).get('/brands?limit=1', { 'x-request-id': sent });
    const tooLong = await raw(reader).get('/brands/not-a-uuid', { 'x-request-id': 'x'.repeat(129) });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(expectProblem(tooLong, 400).requestId).toMatch(UUID);
    expect(lines.some((line) => JSON.stringify(line).includes(sent))).toBe(false);
  });

  test('takes the trace id of a W3C traceparent; X-Request-Id wins over it', async ({ reader }) => {
    const traced = await raw(reader).get('/brands?limit=1', { traceparent: TRACEPARENT });
    const both = await raw(reader).get('/brands?limit=1', {
      traceparent: TRACEPARENT,
      'x-request-id': 'explicit-id',
    });
    const zeros = await raw(reader).get('/brands?limit=1', {
      traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    });

    expect(traced.headers.get('x-request-id')).toBe(TRACE_ID);
    expect(both.headers.get('x-request-id')).toBe('explicit-id');
    expect(zeros.headers.get('x-request-id')).toMatch(UUID);
  });

  test('passes the request id to the catalog lookups: their log lines carry it', async ({
    admin,
    reader,
  }) => {
    const { brand, model, sale } = await brandWithModel(admin, 'Traced Motors', '2025-06-01T10:00:00Z');
    expectData(await admin.POST('/sales', { body: sale }), 201);
    lines.length = 0;

    const stats = await raw(reader).get(`/stats/models/top?${RANGE}&by=units&brandId=${brand.id}`, {
      'x-request-id': 'stats-call-7',
    });

    expect(stats.status, stats.text).toBe(200);
    const lookups = lines.filter((line) => line.message === 'Catalog lookup');
    expect(lookups.map((line) => line.id).sort()).toEqual([brand.id, model.id].sort());
    for (const line of lookups) expect(line).toMatchObject({ requestId: 'stats-call-7', found: true });
    // Nothing logged during the call carries another id.
    const ids = new Set(lines.map((line) => line.requestId));
    expect([...ids]).toEqual(['stats-call-7']);
  });

  test('passes the request id to the queue worker: each log line of its message carries it', async ({
    writer,
    admin,
    stack,
  }) => {
    const { sale } = await brandWithModel(admin, 'Queued Motors', '2025-07-01T10:00:00Z');

    const first = await raw(writer).post<{ items: { ingestionId: string }[] }>(
      '/sales/events',
      { events: [sale] },
      { 'x-request-id': 'events-call-1' },
    );
    const second = await raw(writer).post<{ items: { ingestionId: string }[] }>(
      '/sales/events',
      { events: [sale, sale] },
      { traceparent: TRACEPARENT },
    );
    await stack.ingest.settled();

    expect(first.status, first.text).toBe(202);
    expect(second.status, second.text).toBe(202);
    const batchOf = (response: typeof first) => response.body.items[0]?.ingestionId.split('.')[0];
    const received = lines.filter((line) => line.message === 'Message received');
    expect(received).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requestId: 'events-call-1', batchId: batchOf(first), events: 1 }),
        expect.objectContaining({ requestId: TRACE_ID, batchId: batchOf(second), events: 2 }),
      ]),
    );
    // Every line the worker wrote for a message names that message's request.
    for (const line of lines.filter((l) => l.batchId === batchOf(first)))
      expect(line.requestId).toBe('events-call-1');
  });
});
