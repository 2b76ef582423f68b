import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionName } from '../lambdas/shared/route';
import type { SalesApi } from './api';
import type { ApiHandler } from './api-functions';

export interface ObservabilityProps {
  readonly api: SalesApi;
  readonly handlers: readonly ApiHandler[];
  /** Functions off the request path (scheduled), by name. */
  readonly workers: Readonly<Record<string, lambda.IFunction>>;
  readonly cluster: rds.DatabaseCluster;
  /** Tables by the label they get on the dashboard. */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /** The events queue's graphs (a dashboard row) and alarms (lib/ingest.ts). */
  readonly queues: { readonly widgets: cloudwatch.IWidget[]; readonly alarms: cloudwatch.Alarm[] };
  /** Where alarms are e-mailed (a subscription to `alarmTopic`); none: subscribe later. */
  readonly alarmEmail: string | undefined;
}

const ONE_MINUTE = Duration.minutes(1);

/** One dashboard for the request path (API → functions → Aurora / DynamoDB) and the alarms deploys watch. */
export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** Share of API requests answered 5xx; watched by every canary deployment. */
  readonly serverErrorRateAlarm: cloudwatch.Alarm;
  /** Unhandled errors (crashes, timeouts) on each function's `live` alias; watched by its canary. */
  readonly functionErrorAlarms: ReadonlyMap<FunctionName, cloudwatch.Alarm>;
  /** A worker failing run after run (three minutes in a row). */
  readonly workerErrorAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
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
      Object.entries(props.workers).map(([name, fn]) => [
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

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Car-sales API alarms',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    // Every function, API handlers and workers, on the same three graphs.
    const functions = [
      ...props.handlers.map(({ name, fn }) => [name, fn] as const),
      ...Object.entries(props.workers),
    ];
    const perFunction = (metric: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric) =>
      functions.map(([name, fn]) => metric(fn, name));
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });

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
            ],
            width: 12,
            height: 6,
          }),
        ],
      ],
    });

    // No alarm without a recipient: each one notifies the topic when it fires and when it clears.
    const action = new actions.SnsAction(this.alarmTopic);
    const own = this.node.findAll().filter((c) => c instanceof cloudwatch.Alarm);
    for (const alarm of [...own, ...props.queues.alarms]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
