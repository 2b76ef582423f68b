import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();
const ref = (construct: Parameters<typeof logicalIdOf>[0]) => ({ Ref: logicalIdOf(construct) });
const arnOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({
  'Fn::GetAtt': [logicalIdOf(construct), 'Arn'],
});

/** The statements of the inline policies attached to a function's role. */
function statementsOf(fn: Parameters<typeof logicalIdOf>[0] & { role?: unknown }) {
  const role = (fn as { role?: Parameters<typeof logicalIdOf>[0] }).role;
  if (!role) throw new Error('no role');
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([ref(role)]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
        .Statement,
  ) as { Action: string | string[]; Resource: unknown }[];
}

const actionsOn = (statements: { Action: string | string[]; Resource: unknown }[], resource: unknown) =>
  statements
    .filter((statement) => JSON.stringify(statement.Resource).includes(JSON.stringify(resource)))
    .flatMap((statement) => [statement.Action].flat());

describe('Construct: IngestPipeline', () => {
  it('queues events encrypted, TLS only, with a dead-letter queue after 10 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: arnOf(stack.ingest.deadLetters), maxReceiveCount: 10 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(stack.ingest.queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('feeds the worker in batches of 10 with partial batch responses and at most 2 at once', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.ingest.queue),
      FunctionName: ref(stack.ingest.worker),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('gives the worker the database, the tables, the queue and its settings, after the migrations', () => {
    template.hasResource('AWS::Lambda::Function', {
      Properties: {
        Runtime: 'nodejs24.x',
        Timeout: 60,
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'ingest',
            DB_NAME: 'sales',
            SALES_TABLE: ref(stack.tables.aggregates),
            INGESTIONS_TABLE: ref(stack.tables.ingestions),
            EVENTS_QUEUE_URL: ref(stack.ingest.queue),
            INGEST_STATUS_RETENTION_DAYS: '7',
            INGEST_WORKER_SETTINGS: JSON.stringify({
              maxReceiveCount: 10,
              breakerThreshold: 3,
              breakerOpenMs: 30_000,
              slowWriteMs: 10_000,
            }),
            REPORTING_CURRENCY: 'EUR',
          }),
        },
      },
      DependsOn: Match.arrayWith([logicalIdOf(stack.migrations.resource)]),
    });
  });

  it('lets the sales function send and record statuses, and only the worker consume', () => {
    const sales = stack.functions.handler('sales').fn;
    const producer = actionsOn(statementsOf(sales), arnOf(stack.ingest.queue));
    expect(producer).toEqual(expect.arrayContaining(['sqs:SendMessage']));
    expect(producer).not.toContain('sqs:ReceiveMessage');
    expect(producer).not.toContain('sqs:DeleteMessage');

    const worker = actionsOn(statementsOf(stack.ingest.worker), arnOf(stack.ingest.queue));
    expect(worker).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
    expect(worker).not.toContain('sqs:SendMessage');
    expect(actionsOn(statementsOf(stack.ingest.worker), arnOf(stack.tables.ingestions))).toEqual(
      expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:GetItem']),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'sales',
          EVENTS_QUEUE_URL: ref(stack.ingest.queue),
          INGESTIONS_TABLE: ref(stack.tables.ingestions),
          INGEST_STATUS_RETENTION_DAYS: '7',
        }),
      },
    });
  });

  it('keeps statuses in a table that expires them on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('alarms on any dead letter and on events waiting over 15 minutes, and shows the queues', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.ingest.deadLetters), 'QueueName'] } },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
    });
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard);
    for (const title of [
      'Events queue depth',
      'Events: age of oldest message (s)',
      'Events dead-letter queue depth',
    ])
      expect(body).toContain(title);
  });
});
