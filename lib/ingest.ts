import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ingestEnv, workerEnvironment } from '../lambdas/ingest/env';
import { DEFAULTS } from './defaults';
import { SALES_TABLE_ENV } from './sales-tables';
import { type DataApiDatabase, ServiceFunction } from './service-function';

export interface IngestPipelineProps {
  readonly database: DataApiDatabase;
  readonly aggregates: dynamodb.ITable;
  /** Ingestion statuses (key `id`, TTL on `expiresAt`). */
  readonly statuses: dynamodb.ITable;
  /** The function that accepts `POST /sales/events`: it may send to the queue and record statuses. */
  readonly producer: ServiceFunction;
  readonly reportingCurrency: string;
  /** Worker invocations at once: the most Aurora sees from the queue (the event source's maximum, ≥ 2). */
  readonly maxConcurrency?: number;
}

/** Seconds a worker invocation may run; the queue's visibility timeout is six times it, as AWS advises. */
const WORKER_TIMEOUT = Duration.seconds(60);
const { ingest: INGEST } = DEFAULTS;

/**
 * High-volume sales events: the events queue and its dead-letter queue, the ingest worker behind an SQS event
 * source (partial batch responses, capped concurrency), least-privilege grants, and alarms on the dead-letter
 * queue and on events waiting too long.
 */
export class IngestPipeline extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly worker: ServiceFunction;
  /** Any message in the dead-letter queue: events that could not be stored in every allowed delivery. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The oldest waiting event is older than 15 minutes: the worker is stopped or cannot keep up. */
  readonly backlogAlarm: cloudwatch.Alarm;
  readonly widgets: cloudwatch.IWidget[];

  constructor(scope: Construct, id: string, props: IngestPipelineProps) {
    super(scope, id);
    const queueDefaults = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    } satisfies sqs.QueueProps;

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      ...queueDefaults,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the events queue.',
    });
    this.queue = new sqs.Queue(this, 'Events', {
      ...queueDefaults,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: INGEST.maxReceiveCount },
    });

    const shared = {
      EVENTS_QUEUE_URL: this.queue.queueUrl,
      INGEST_STATUS_RETENTION_DAYS: String(INGEST.statusRetentionDays),
    } satisfies Omit<Record<keyof typeof ingestEnv, string>, 'INGESTIONS_TABLE'>;

    this.worker = new ServiceFunction(this, 'Worker', 'ingest', {
      purpose: 'stores queued sales events',
      timeout: WORKER_TIMEOUT,
    });
    this.worker.bindDatabase(props.database, 'ingest');
    this.worker.bindTable(props.aggregates, 'readWrite', SALES_TABLE_ENV);
    this.worker.bindTable(props.statuses, 'readWrite', 'INGESTIONS_TABLE');
    this.worker.addEnvironments({
      ...shared,
      ...workerEnvironment(INGEST),
      REPORTING_CURRENCY: props.reportingCurrency,
    });
    // Receive, delete and change visibility (the breaker makes failed messages wait out its window).
    this.queue.grantConsumeMessages(this.worker);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: INGEST.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? INGEST.maxConcurrency,
      }),
    );

    props.producer.bindTable(props.statuses, 'readWrite', 'INGESTIONS_TABLE');
    props.producer.addEnvironments(shared);
    this.queue.grantSendMessages(props.producer);

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterDepth', {
      alarmDescription: 'Sales events reached the dead-letter queue (rejected, or pending until redriven)',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.backlogAlarm = new cloudwatch.Alarm(this, 'Backlog', {
      alarmDescription: 'Sales events wait more than 15 minutes: the worker is stopped or cannot keep up',
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 15 * 60,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 });
    const max = { statistic: cloudwatch.Stats.MAXIMUM };
    this.widgets = [
      graph('Events queue depth', [
        this.queue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'waiting' }),
        this.queue.metricApproximateNumberOfMessagesNotVisible({ ...max, label: 'in flight' }),
      ]),
      graph('Events: age of oldest message (s)', [
        this.queue.metricApproximateAgeOfOldestMessage({ ...max, label: 'age' }),
      ]),
      graph('Events dead-letter queue depth', [
        this.deadLetters.metricApproximateNumberOfMessagesVisible({ ...max, label: 'dead letters' }),
      ]),
    ];
  }
}
