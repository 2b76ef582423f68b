import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

describe('Construct: Observability', () => {
  it('alarms when more than 5% of API requests fail with 5xx', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: Match.arrayWith([
        { Name: 'Stage', Value: { Ref: logicalIdOf(stack.api.restApi.deploymentStage) } },
      ]),
      Statistic: 'Average',
      Period: 60,
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each(stack.functions.handlers.map((h) => [h.name, h] as const))(
    'alarms on any error of the %s live alias',
    (_, { live }) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: Match.arrayWith([
          {
            Name: 'Resource',
            Value: { 'Fn::Join': ['', [{ Ref: logicalIdOf(live.lambda) }, ':live']] },
          },
        ]),
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    },
  );

  it.each([
    ['outbox projector', stack.projector.fn],
    ['ingest worker', stack.ingest.worker],
    ['console', stack.api.docs.fn],
  ])('alarms when the %s fails three minutes in a row', (_, fn) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn) } }],
      Threshold: 1,
      EvaluationPeriods: 3,
    });
  });

  it('draws API, function, Aurora and DynamoDB metrics on one dashboard', () => {
    const metrics = dashboardMetrics();

    expect(metrics).toEqual(
      expect.arrayContaining([
        'AWS/ApiGateway Count',
        'AWS/ApiGateway 4XXError',
        'AWS/ApiGateway 5XXError',
        'AWS/ApiGateway Latency p50',
        'AWS/ApiGateway Latency p99',
        'AWS/Lambda Errors',
        'AWS/Lambda Duration p99',
        'AWS/Lambda Throttles',
        'AWS/RDS ServerlessDatabaseCapacity',
        'AWS/RDS ACUUtilization',
        'AWS/RDS DatabaseConnections',
        'AWS/DynamoDB ReadThrottleEvents',
        'AWS/DynamoDB WriteThrottleEvents',
      ]),
    );
    // One line per API function, plus the projector, the ingest worker and the console.
    expect(metrics.filter((m) => m === 'AWS/Lambda Errors')).toHaveLength(
      stack.functions.handlers.length + 3,
    );
  });

  it('charts every metric of the contract, per service, and the SQL metrics per operation', () => {
    const metrics = dashboardMetrics();

    expect(metrics).toEqual(
      expect.arrayContaining([
        'CarSalesApi SalesWritten service=sales',
        'CarSalesApi SalesWritten service=ingest',
        'CarSalesApi RowsImported service=sales',
        'CarSalesApi EventsAccepted service=sales',
        'CarSalesApi EventsStored service=ingest',
        'CarSalesApi EventsRejected service=ingest',
        'CarSalesApi OutboxBacklog service=projector',
        'CarSalesApi OutboxOldestAgeSeconds service=projector',
        'CarSalesApi ProjectionLagSeconds service=projector',
        'CarSalesApi CatalogFallbacks service=stats',
        'CarSalesApi CatalogBreakerOpened service=stats',
        `SEARCH('{CarSalesApi,operation,service} MetricName="SqlStatements"', 'Sum', 60)`,
        `SEARCH('{CarSalesApi,operation,service} MetricName="SqlLatency"', 'p99', 60)`,
      ]),
    );
  });

  it.each([
    ['the oldest outbox entry', 'OutboxOldestAgeSeconds', 'notBreaching'],
    // The projector reports every drain (each minute): silence means it stopped, which is lag too.
    ['the projection lag', 'ProjectionLagSeconds', 'breaching'],
  ])('alarms when %s exceeds 5 minutes, 3 minutes in a row', (_, metricName, missing) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CarSalesApi',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'projector' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: missing,
    });
  });

  it('has every function of the project emit its metrics to CarSalesApi under its own service name', () => {
    const services = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.anyValue() } } },
      }),
    ).map((fn) => fn.Properties.Environment.Variables);

    expect(services.map((env) => env.POWERTOOLS_SERVICE_NAME).sort()).toEqual(
      [...stack.functions.handlers.map((h) => h.name), 'projector', 'ingest', 'migrate', 'docs'].sort(),
    );
    for (const env of services) expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('CarSalesApi');
  });

  it('sends every alarm of the stack to the topic once, firing and clearing', () => {
    const topic = { Ref: logicalIdOf(stack.observability.alarmTopic) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

    expect(alarms.length).toBe(stack.functions.handlers.length + 3 + 2 + 2 + 2);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
  });
});

/**
 * `namespace name [percentile]` of every graphed metric (`namespace name dim=value` for the contract metrics,
 * the expression for a search); tokens in the body stand in as a placeholder.
 */
function dashboardMetrics(): string[] {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const source = dashboard?.Properties.DashboardBody;
  const text: string =
    typeof source === 'string'
      ? source
      : source['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  const body: { widgets: { properties: { metrics?: unknown[][] } }[] } = JSON.parse(text);
  return body.widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((metric) => {
      const options = metric.at(-1) as { stat?: string; expression?: string };
      if (options.expression) return options.expression;
      if (metric[0] === 'CarSalesApi') return `${metric[0]} ${metric[1]} ${metric[2]}=${metric[3]}`;
      const percentile = options.stat?.startsWith('p') ? ` ${options.stat}` : '';
      return `${metric[0]} ${metric[1]}${percentile}`;
    }),
  );
}
