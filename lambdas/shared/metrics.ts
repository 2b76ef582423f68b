import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EmfOutput, MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import { currentInvocation, type Invocation, logger, runInvocation } from './powertools';
import { ObservedSql, type Sql } from './sql/port';

/** The CloudWatch namespace (lib/service-function.ts sets the same through POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'CarSalesApi';

/** How the local Prometheus endpoint exposes a metric: summed, last value, or sum and count of samples. */
export type MetricKind = 'counter' | 'gauge' | 'summary';

interface MetricSpec {
  unit: Unit;
  kind: MetricKind;
  help: string;
}

/**
 * The metric contract: what the functions emit (EMF, dimension `service`; the SQL ones also `operation`) and
 * what the alarms and the dashboard read. Names and units must not change without the CDK side.
 */
export const METRICS = {
  SalesWritten: { unit: MetricUnit.Count, kind: 'counter', help: 'Sales committed' },
  RowsImported: { unit: MetricUnit.Count, kind: 'counter', help: 'CSV rows imported' },
  EventsAccepted: { unit: MetricUnit.Count, kind: 'counter', help: 'Sales events queued' },
  EventsStored: { unit: MetricUnit.Count, kind: 'counter', help: 'Queued events stored as sales' },
  EventsRejected: { unit: MetricUnit.Count, kind: 'counter', help: 'Queued events rejected' },
  OutboxBacklog: {
    unit: MetricUnit.Count,
    kind: 'gauge',
    help: 'Outbox rows awaiting projection, before a drain',
  },
  OutboxOldestAgeSeconds: {
    unit: MetricUnit.Seconds,
    kind: 'gauge',
    help: 'Age of the oldest outbox row, before a drain',
  },
  ProjectionLagSeconds: {
    unit: MetricUnit.Seconds,
    kind: 'gauge',
    help: 'Now minus the asOf of the projected figures, after a drain',
  },
  CatalogFallbacks: {
    unit: MetricUnit.Count,
    kind: 'counter',
    help: 'Catalog lookups answered from the cache (or without a name) because the catalog failed',
  },
  CatalogBreakerOpened: { unit: MetricUnit.Count, kind: 'counter', help: 'Openings of the catalog breaker' },
  SqlStatements: { unit: MetricUnit.Count, kind: 'counter', help: 'SQL statements, by operation' },
  SqlLatency: { unit: MetricUnit.Milliseconds, kind: 'summary', help: 'SQL statement latency, by operation' },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
/** The metrics code records by name; the SQL ones come from `measuredSql`. */
export type RecordedMetric = Exclude<MetricName, 'SqlStatements' | 'SqlLatency'>;

/** Records a value in the current invocation; published when it ends. Outside any invocation it is dropped. */
export function recordMetric(name: RecordedMetric, value: number): void {
  currentInvocation()?.recorded.values.push([name, value]);
}

/** The SQL port with each statement counted and timed under the current invocation's operation. */
export function measuredSql(sql: Sql): Sql {
  return new ObservedSql(sql, (ms) => currentInvocation()?.recorded.sqlMs.push(ms));
}

export interface InvocationSpec {
  service: string;
  operation: string;
  requestId?: string | undefined;
  /** More keys for its log lines (the request id and operation are added). */
  logKeys?: Record<string, string>;
}

/**
 * Runs one unit of work as an invocation (lambdas/shared/powertools.ts): its log lines carry its keys, and
 * the metrics it records are published once, when it ends, whether it succeeds or fails.
 */
export async function instrumented<T>(spec: InvocationSpec, work: () => Promise<T>): Promise<T> {
  const invocation: Invocation = {
    service: spec.service,
    operation: spec.operation,
    requestId: spec.requestId,
    logKeys: { ...(spec.requestId ? { requestId: spec.requestId } : {}), ...spec.logKeys },
    recorded: { values: [], sqlMs: [] },
  };
  try {
    return await runInvocation(invocation, work);
  } finally {
    publishInvocation(invocation);
  }
}

/** An EMF document, as Powertools serializes it for CloudWatch. */
export type EmfDocument = EmfOutput;
export type MetricsSink = (document: EmfDocument) => void;

const sinks = new Set<MetricsSink>();

/**
 * Sends the EMF documents to `sink` instead of stdout (the local server's /metrics reads them); returns the
 * function that stops it. In Lambda there is none: Powertools prints them and CloudWatch extracts the metrics.
 */
export function addMetricsSink(sink: MetricsSink): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}

/** Most values of one metric per EMF document: Powertools flushes by itself at 100. */
const VALUES_PER_DOCUMENT = 99;

/**
 * Built on first use: one per service for its own metrics, one per service and operation for the SQL ones (a
 * default dimension costs nothing per call; addDimension does). One service in Lambda; every function's locally.
 */
const metricsByKey = new Map<string, Metrics>();

function metricsOf(service: string, operation?: string): Metrics {
  const key = operation === undefined ? service : `${service}\u0000${operation}`;
  let metrics = metricsByKey.get(key);
  if (!metrics) {
    metrics = new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
      serviceName: service,
      ...(operation === undefined ? {} : { defaultDimensions: { operation } }),
      logger,
    });
    metricsByKey.set(key, metrics);
  }
  return metrics;
}

/** Counters are summed per invocation, gauges keep every sample; SQL goes in documents with `operation`. */
function publishInvocation({ service, operation, recorded }: Invocation): void {
  const { values, sqlMs } = recorded;
  if (values.length === 0 && sqlMs.length === 0) return;
  try {
    const metrics = metricsOf(service);
    const sums = new Map<RecordedMetric, number>();
    for (const [name, value] of values as [RecordedMetric, number][]) {
      const spec = METRICS[name];
      if (spec.kind === 'counter') sums.set(name, (sums.get(name) ?? 0) + value);
      else metrics.addMetric(name, spec.unit, value);
    }
    for (const [name, sum] of sums) metrics.addMetric(name, METRICS[name].unit, sum);
    publish(metrics);
    if (sqlMs.length === 0) return;
    const sql = metricsOf(service, operation);
    for (let start = 0; start < sqlMs.length; start += VALUES_PER_DOCUMENT) {
      const chunk = sqlMs.slice(start, start + VALUES_PER_DOCUMENT);
      sql.addMetric('SqlStatements', MetricUnit.Count, chunk.length);
      for (const ms of chunk) sql.addMetric('SqlLatency', MetricUnit.Milliseconds, ms);
      publish(sql);
    }
  } catch (error) {
    // Metrics never fail the work they describe.
    logger.warn('Could not publish metrics', { error: error as Error });
  }
}

function publish(metrics: Metrics): void {
  if (!metrics.hasStoredMetrics()) return;
  if (sinks.size === 0) {
    metrics.publishStoredMetrics();
    return;
  }
  const document = metrics.serializeMetrics();
  metrics.clearMetrics();
  for (const sink of sinks) sink(document);
}
