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

  it('alarms when the outbox projector fails three minutes in a row', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack.projector.fn) } }],
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
    // One line per API function, plus the projector and the ingest worker.
    expect(metrics.filter((m) => m === 'AWS/Lambda Errors')).toHaveLength(
      stack.functions.handlers.length + 2,
    );
  });
});

/** `namespace name [percentile]` of every graphed metric; tokens in the body stand in as a placeholder. */
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
      const options = metric.at(-1) as { stat?: string };
      const percentile = options.stat?.startsWith('p') ? ` ${options.stat}` : '';
      return `${metric[0]} ${metric[1]}${percentile}`;
    }),
  );
}
