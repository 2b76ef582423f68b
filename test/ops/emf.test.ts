/**
 * What CloudWatch receives (no local sink: Powertools prints the EMF documents to stdout, as in Lambda): the
 * contract's names and units in namespace CarSalesApi, dimension `service`, the SQL metrics with `operation`
 * too, one publication when the invocation ends, nothing from outside an invocation.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrumented, measuredSql, recordMetric } from '../../lambdas/shared/metrics';
import type { Sql } from '../../lambdas/shared/sql/port';

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

function captureStdout(): Emf[] {
  const documents: Emf[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) documents.push(JSON.parse(line) as Emf);
    return true;
  });
  return documents;
}

/** Answers every statement at once; inside a transaction too. */
const answering: Sql = {
  query: async () => ({ rows: [], affected: 0 }),
  transaction: (work) => work(answering),
};

describe('Function: instrumented (EMF to stdout, as in Lambda)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('publishes the recorded metrics once, at the end, with the service and the SQL operation', async () => {
    const documents = captureStdout();
    const sql = measuredSql(answering);

    await instrumented({ service: 'sales', operation: 'createSalesBatch', requestId: 'r-1' }, async () => {
      recordMetric('SalesWritten', 2);
      await sql.query('SELECT 1');
      await sql.transaction(async (tx) => {
        await tx.query('SELECT 2');
        await tx.query('SELECT 3');
      });
      recordMetric('SalesWritten', 3);
      expect(documents).toEqual([]);
    });

    const [counts, statements, extra] = documents;
    expect(extra).toBeUndefined();
    expect(counts?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'CarSalesApi',
        Dimensions: [['service']],
        Metrics: [{ Name: 'SalesWritten', Unit: 'Count' }],
      },
    ]);
    expect(counts).toMatchObject({ service: 'sales', SalesWritten: 5 });
    expect(statements?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'CarSalesApi',
        Dimensions: [['service', 'operation']],
        Metrics: [
          { Name: 'SqlStatements', Unit: 'Count' },
          { Name: 'SqlLatency', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(statements).toMatchObject({ service: 'sales', operation: 'createSalesBatch', SqlStatements: 3 });
    expect(statements?.SqlLatency).toHaveLength(3);
  });

  it('keeps gauges as samples, publishes when the work fails, and drops what runs outside an invocation', async () => {
    const documents = captureStdout();

    recordMetric('OutboxBacklog', 99);
    const failing = instrumented({ service: 'projector', operation: 'drain' }, async () => {
      recordMetric('OutboxBacklog', 7);
      recordMetric('OutboxOldestAgeSeconds', 12);
      throw new Error('drain failed');
    });

    await expect(failing).rejects.toThrow('drain failed');
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      service: 'projector',
      OutboxBacklog: 7,
      OutboxOldestAgeSeconds: 12,
    });
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'OutboxBacklog', Unit: 'Count' },
      { Name: 'OutboxOldestAgeSeconds', Unit: 'Seconds' },
    ]);
  });

  it('splits SQL latencies over documents of at most 99 values, each with its operation', async () => {
    const documents = captureStdout();
    const sql = measuredSql(answering);

    await instrumented({ service: 'ingest', operation: 'ingest' }, async () => {
      for (let i = 0; i < 150; i++) await sql.query('SELECT 1');
    });

    expect(documents.map((document) => document.SqlStatements)).toEqual([99, 51]);
    expect(documents.every((document) => document.operation === 'ingest')).toBe(true);
  });
});
