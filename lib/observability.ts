import { Aspects, Duration, type IAspect, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import type { FunctionName } from '../lambdas/shared/route';
import type { SalesApi } from './api';
import type { ApiHandler } from './api-functions';
import { METRICS_NAMESPACE, type ServiceFunction } from './service-function';

export interface ObservabilityProps {
  readonly api: SalesApi;
  readonly handlers: readonly ApiHandler[];
  /** The workers (scheduled, queued); their metrics carry the `service` dimension of their service name. */
  readonly workers: { readonly projector: ServiceFunction; readonly ingest: ServiceFunction };
  /** Functions on the request path without a canary (the console), by name. */
  readonly otherFunctions: Readonly<Record<string, lambda.IFunction>>;
  readonly cluster: rds.DatabaseCluster;
  /** Tables by the label they get on the dashboard. */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /** The events queue's graphs (a dashboard row) and alarms (lib/ingest.ts). */
  readonly queues: { readonly widgets: cloudwatch.IWidget[]; readonly alarms: cloudwatch.Alarm[] };
  /** Where alarms are e-mailed (a subscription to `alarmTopic`); none: subscribe later. */
  readonly alarmEmail: string | undefined;
}

const ONE_MINUTE = Duration.minutes(1);

/**
 * The custom metrics of the functions (Powertools Metrics, EMF), by the names of the metric contract: namespace
 * `CarSalesApi`, dimension `service` (the function's service name), the SQL ones also `operation`.
 */
type ContractMetric =
  | 'SalesWritten'
  | 'RowsImported'
  | 'EventsAccepted'
  | 'EventsStored'
  | 'EventsRejected'
  | 'OutboxBacklog'
  | 'OutboxOldestAgeSeconds'
  | 'ProjectionLagSeconds'
  | 'CatalogFallbacks'
  | 'CatalogBreakerOpened'
  | 'SqlStatements'
  | 'SqlLatency';

/** A contract metric of one function, per minute. */
function serviceMetric(
  metricName: ContractMetric,
  fn: ServiceFunction,
  statistic: string,
  // An alarm on a labelled metric renders as metric math; only graphs get one.
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: fn.serviceName },
    statistic,
    period: ONE_MINUTE,
    label,
  });
}

/** A contract SQL metric of every function and operation: one line per (service, operation). */
function perOperation(metricName: ContractMetric, statistic: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},operation,service} MetricName="${metricName}"', '${statistic}', 60)`,
    usingMetrics: {},
    label: metricName,
    period: ONE_MINUTE,
  });
}

/** Sends every alarm it visits to the topic, firing and clearing: an alarm nobody hears is no alarm. */
class NotifyEveryAlarm implements IAspect {
  private readonly action: actions.SnsAction;

  constructor(topic: sns.ITopic) {
    this.action = new actions.SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm)) return;
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}

/** One dashboard for the request path (API → functions → Aurora / DynamoDB) and the alarms deploys watch. */
export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** Share of API requests answered 5xx; watched by every canary deployment. */
  readonly serverErrorRateAlarm: cloudwatch.Alarm;
  /** Unhandled errors (crashes, timeouts) on each function's `live` alias; watched by its canary. */
  readonly functionErrorAlarms: ReadonlyMap<FunctionName, cloudwatch.Alarm>;
  /** A worker or the console failing run after run (three minutes in a row). */
  readonly workerErrorAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** The oldest outbox entry waits more than five minutes: drains fail or cannot keep up. */
  readonly outboxAgeAlarm: cloudwatch.Alarm;
  /** The statistics lag the sales by more than five minutes, or the projector stopped reporting. */
  readonly projectionLagAlarm: cloudwatch.Alarm;
  /** p99 latency of the API above what a partner should see. */
  readonly latencyAlarm: cloudwatch.Alarm;
  /** Every alarm of the stack notifies here, when it fires and when it clears. */
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stage = props.api.restApi.deploymentStage;

    // 5XXError is 0 or 1 per request, so its average is the error rate.
    this.serverErrorRateAlarm = new cloudwatch.Alarm(this, 'ServerErrorRate', {
      alarmDescription: 'More than 5% of API requests fail with 5xx',
      metric: stage.metricServerError({ statistic: cloudwatch.Stats.AVERAGE, period: ONE_MINUTE }),
      threshold: 0.05,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.functionErrorAlarms = new Map(
      props.handlers.map(({ name, live }) => [
        name,
        // Handlers turn expected failures into problem responses, so any error counted here is a bug.
        new cloudwatch.Alarm(this, `${name}Errors`, {
          alarmDescription: `The ${name} function (live alias) throws or times out`,
          metric: live.metricErrors({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ]),
    );

    this.workerErrorAlarms = new Map(
      Object.entries({ ...props.workers, ...props.otherFunctions }).map(([name, fn]) => [
        name,
        new cloudwatch.Alarm(this, `${name}Errors`, {
          alarmDescription: `The ${name} function fails run after run`,
          metric: fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: ONE_MINUTE }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ]),
    );

    this.latencyAlarm = new cloudwatch.Alarm(this, 'LatencyP99', {
      alarmDescription: 'API p99 latency above 2 s for 5 minutes',
      metric: stage.metricLatency({ statistic: cloudwatch.Stats.p(99), period: ONE_MINUTE }),
      threshold: 2000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const { projector, ingest } = props.workers;
    // The projector reports both once per drain, measured before it (age) and after it (lag).
    this.outboxAgeAlarm = new cloudwatch.Alarm(this, 'OutboxAge', {
      alarmDescription:
        'The oldest sales outbox entry is older than 5 minutes: drains fail or cannot keep up',
      metric: serviceMetric('OutboxOldestAgeSeconds', projector, cloudwatch.Stats.MAXIMUM),
      threshold: 300,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.projectionLagAlarm = new cloudwatch.Alarm(this, 'ProjectionLag', {
      alarmDescription:
        'The statistics are more than 5 minutes behind the sales, or the projector has not reported for 3 minutes',
      metric: serviceMetric('ProjectionLagSeconds', projector, cloudwatch.Stats.MAXIMUM),
      threshold: 300,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      // The projector drains every minute and reports each time: silence means it stopped.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Car-sales API alarms',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    // Every function, API handlers, workers and the console, on the same three graphs.
    const functions = [
      ...props.handlers.map(({ name, fn }) => [name, fn] as const),
      ...Object.entries({ ...props.workers, ...props.otherFunctions }),
    ];
    const perFunction = (metric: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric) =>
      functions.map(([name, fn]) => metric(fn, name));
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8, right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });
    const sales = props.handlers.find((h) => h.name === 'sales')?.fn;
    const stats = props.handlers.find((h) => h.name === 'stats')?.fn;
    if (!sales || !stats)
      throw new Error('The dashboard charts the sales and stats functions: no route names them');
    const { SUM, MAXIMUM } = cloudwatch.Stats;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          graph('API requests', [stage.metricCount({ statistic: cloudwatch.Stats.SUM, label: 'requests' })]),
          graph('API errors', [
            stage.metricClientError({ statistic: cloudwatch.Stats.SUM, label: '4xx' }),
            stage.metricServerError({ statistic: cloudwatch.Stats.SUM, label: '5xx' }),
          ]),
          graph('API latency', [
            stage.metricLatency({ statistic: cloudwatch.Stats.p(50), label: 'p50' }),
            stage.metricLatency({ statistic: cloudwatch.Stats.p(99), label: 'p99' }),
          ]),
        ],
        [
          graph(
            'Function errors',
            perFunction((fn, label) => fn.metricErrors({ statistic: cloudwatch.Stats.SUM, label })),
          ),
          graph(
            'Function duration p99',
            perFunction((fn, label) => fn.metricDuration({ statistic: cloudwatch.Stats.p(99), label })),
          ),
          graph(
            'Function throttles',
            perFunction((fn, label) => fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, label })),
          ),
        ],
        [
          graph('Aurora capacity (ACU)', [
            props.cluster.metricServerlessDatabaseCapacity({
              statistic: cloudwatch.Stats.MAXIMUM,
              label: 'ACU',
            }),
          ]),
          graph('Aurora ACU utilization (%)', [
            props.cluster.metricACUUtilization({ statistic: cloudwatch.Stats.MAXIMUM, label: 'utilization' }),
          ]),
          graph('Aurora connections', [
            props.cluster.metricDatabaseConnections({
              statistic: cloudwatch.Stats.MAXIMUM,
              label: 'connections',
            }),
          ]),
        ],
        [
          graph('Sales written and rows imported', [
            serviceMetric('SalesWritten', sales, SUM, 'written (API)'),
            serviceMetric('SalesWritten', ingest, SUM, 'written (events)'),
            serviceMetric('RowsImported', sales, SUM, 'CSV rows imported'),
          ]),
          graph('Sales events', [
            serviceMetric('EventsAccepted', sales, SUM, 'accepted'),
            serviceMetric('EventsStored', ingest, SUM, 'stored'),
            serviceMetric('EventsRejected', ingest, SUM, 'rejected'),
          ]),
          graph('Stats: catalog fallbacks and breaker openings', [
            serviceMetric('CatalogFallbacks', stats, SUM, 'fallbacks (stale names)'),
            serviceMetric('CatalogBreakerOpened', stats, SUM, 'breaker opened'),
          ]),
        ],
        [
          graph(
            'Outbox: backlog (entries) and oldest entry (s)',
            [serviceMetric('OutboxBacklog', projector, MAXIMUM, 'backlog')],
            8,
            [serviceMetric('OutboxOldestAgeSeconds', projector, MAXIMUM, 'oldest (s)')],
          ),
          graph('Projection lag (s)', [serviceMetric('ProjectionLagSeconds', projector, MAXIMUM, 'lag')]),
          graph('SQL statements per operation', [perOperation('SqlStatements', 'Sum')]),
        ],
        [graph('SQL latency p99 per operation (ms)', [perOperation('SqlLatency', 'p99')], 24)],
        props.queues.widgets,
        [
          graph(
            'DynamoDB throttled requests',
            Object.entries(props.tables).flatMap(([name, table]) => [
              table.metric('ReadThrottleEvents', { statistic: cloudwatch.Stats.SUM, label: `${name} reads` }),
              table.metric('WriteThrottleEvents', {
                statistic: cloudwatch.Stats.SUM,
                label: `${name} writes`,
              }),
            ]),
            12,
          ),
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [
              this.serverErrorRateAlarm,
              ...this.functionErrorAlarms.values(),
              ...this.workerErrorAlarms.values(),
              ...props.queues.alarms,
              this.latencyAlarm,
              this.outboxAgeAlarm,
              this.projectionLagAlarm,
            ],
            width: 12,
            height: 6,
          }),
        ],
      ],
    });

    // No alarm without a recipient: every alarm of the stack (these, the queue's, any added later anywhere)
    // notifies the topic when it fires and when it clears.
    Aspects.of(Stack.of(this)).add(new NotifyEveryAlarm(this.alarmTopic));
  }
}
