import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

describe('Construct: OutboxProjector', () => {
  it('runs every minute, without retries, once the migrations have run', () => {
    template.hasResource('AWS::Events::Rule', {
      Properties: {
        Description: 'Drain the sales outbox',
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [logicalIdOf(stack.projector.fn), 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 0 },
          }),
        ],
      },
      DependsOn: Match.arrayWith([logicalIdOf(stack.migrations.resource)]),
    });
  });

  it('reaches the database and the aggregates table, one drain at a time', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 120,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'projector',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_NAMESPACE: 'CarSalesApi',
          NODE_OPTIONS: '--enable-source-maps',
          DB_CLUSTER_ARN: Match.anyValue(),
          DB_SECRET_ARN: Match.anyValue(),
          DB_NAME: 'sales',
          SALES_TABLE: { Ref: logicalIdOf(stack.tables.aggregates) },
        },
      },
    });
  });

  it('may write the aggregates, and no other table', () => {
    const roleId = logicalIdOf(stack.projector.fn.role ?? stack.projector.fn);
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    );
    const statements: { Action: string[] | string; Resource: unknown }[] =
      policy?.Properties.PolicyDocument.Statement ?? [];

    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));

    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]?.Action).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain(logicalIdOf(stack.tables.aggregates));
    expect(JSON.stringify(dynamo[0]?.Resource)).not.toContain(logicalIdOf(stack.tables.idempotency));
  });

  it('lets drains overlap when concurrency may not be reserved', () => {
    const unreserved = buildStack({ settings: { reservedConcurrency: undefined } }).template();

    unreserved.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'projector' }) },
      ReservedConcurrentExecutions: Match.absent(),
    });
  });
});

describe('Kicks of the projector', () => {
  const writers = () =>
    [
      ['sales', stack.functions.handler('sales').fn],
      ['ingest', stack.ingest.worker],
    ] as const;

  it.each(writers())(
    'let %s start a drain after each commit: the function name, and invoke on it only',
    (service, fn) => {
      const projectorArn = { 'Fn::GetAtt': [logicalIdOf(stack.projector.fn), 'Arn'] };
      const roleId = logicalIdOf(fn.role ?? fn);
      const statements = Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
      ).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      );

      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: Match.stringLikeRegexp(`^${service}$`),
            PROJECTOR_FUNCTION_NAME: projectorArn,
          }),
        },
      });
      expect(statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))).toEqual([
        expect.objectContaining({ Resource: projectorArn }),
      ]);
    },
  );
});
