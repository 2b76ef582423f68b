import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes';
import type { FunctionName } from '../../lambdas/shared/route';
import { lambdaEntry } from '../../lib/paths';
import { ServiceFunction } from '../../lib/service-function';
import { buildStack, logicalIdOf, testApp } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

const routedFunctions = [...new Set(routes.map((r) => r.fn))];
const catalogFunctions = routedFunctions.filter((name) => name === 'brand' || name === 'model');
const databaseFunctions = routedFunctions.filter((name) => name !== 'stats' && name !== 'partner');
const hasRoutes = (name: FunctionName) => routedFunctions.includes(name);

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** The statements of the inline policy attached to a function's role. */
function statementsOf(fn: ServiceFunction, tpl: Template = template): Statement[] {
  const roleId = logicalIdOf(fn.role ?? fn);
  const policies = Object.values(
    tpl.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionsIn = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
const actionsOf = (fn: ServiceFunction, tpl?: Template) => statementsOf(fn, tpl).flatMap(actionsIn);

/** DynamoDB actions granted on a table (its ARN or its index ARNs). */
function tableActionsOf(fn: ServiceFunction, table: dynamodb.ITable): string[] {
  const tableId = logicalIdOf(table);
  return statementsOf(fn)
    .filter((s) => JSON.stringify(s.Resource).includes(`"${tableId}"`))
    .flatMap(actionsIn)
    .filter((a) => a.startsWith('dynamodb:'));
}

const cursorSecretReference = () => ({
  'Fn::Join': [
    '',
    ['{{resolve:secretsmanager:', { Ref: logicalIdOf(stack.functions.cursorSecret) }, ':SecretString:::}}'],
  ],
});

const powertools = (name: string) => ({
  POWERTOOLS_SERVICE_NAME: name,
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_NAMESPACE: 'CarSalesApi',
  NODE_OPTIONS: '--enable-source-maps',
});

describe('Construct: ApiFunctions', () => {
  it('creates one function per function named in the route table', () => {
    expect(stack.functions.handlers.map((h) => h.name).sort()).toEqual([...routedFunctions].sort());
  });

  describe('Configuration', () => {
    it.each(routedFunctions)('runs %s on the newest Node.js runtime, arm64, traced', (name) => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(stack.functions.handler(name).fn.logGroup) } },
        ReservedConcurrentExecutions: 20,
        Environment: { Variables: Match.objectLike(powertools(name)) },
      });
    });

    it.each(routedFunctions)('logs %s to its own log group, kept for a month', (name) => {
      const { fn } = stack.functions.handler(name);

      const logGroup = template.findResources('AWS::Logs::LogGroup')[logicalIdOf(fn.logGroup)];

      expect(logGroup?.Properties).toEqual({ RetentionInDays: 30 });
    });

    it.each(routedFunctions)('publishes %s behind a live alias', (name) => {
      const { fn } = stack.functions.handler(name);

      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: logicalIdOf(fn) },
        FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('CurrentVersion'), 'Version'] },
      });
    });

    it('leaves concurrency unreserved when the setting is off', () => {
      const unreserved = buildStack({ settings: { reservedConcurrency: undefined } }).template();

      unreserved.allResourcesProperties('AWS::Lambda::Function', {
        ReservedConcurrentExecutions: Match.absent(),
      });
    });
  });

  describe('Environment', () => {
    it.each(catalogFunctions)('gives %s exactly the database and cursor variables', (name) => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            ...powertools(name),
            DB_CLUSTER_ARN: {
              'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf(stack.database.cluster) }])],
            },
            // Its own role's secret (lambdas/migrate/roles.ts), never the master's.
            DB_SECRET_ARN: { Ref: logicalIdOf(stack.database.credentials(name)) },
            DB_NAME: 'sales',
            CURSOR_SECRET: cursorSecretReference(),
          },
        },
      });
    });

    it.runIf(hasRoutes('sales'))('gives sales the database, cursors, both tables and the currency', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            ...powertools('sales'),
            DB_CLUSTER_ARN: Match.anyValue(),
            DB_SECRET_ARN: Match.anyValue(),
            DB_NAME: 'sales',
            CURSOR_SECRET: cursorSecretReference(),
            SALES_TABLE: { Ref: logicalIdOf(stack.tables.aggregates) },
            IDEMPOTENCY_TABLE: { Ref: logicalIdOf(stack.tables.idempotency) },
            REPORTING_CURRENCY: 'EUR',
          },
        },
      });
    });

    it.runIf(hasRoutes('stats'))(
      'gives stats the aggregates, the live catalog functions and its settings',
      () => {
        const liveArn = (name: FunctionName) => ({ Ref: logicalIdOf(stack.functions.handler(name).live) });

        template.hasResourceProperties('AWS::Lambda::Function', {
          Environment: {
            Variables: {
              ...powertools('stats'),
              SALES_TABLE: { Ref: logicalIdOf(stack.tables.aggregates) },
              BRAND_FUNCTION_NAME: liveArn('brand'),
              MODEL_FUNCTION_NAME: liveArn('model'),
              REPORTING_CURRENCY: 'EUR',
              CATALOG_CACHE_TTL_SECONDS: '300',
              CATALOG_RETRY_ATTEMPTS: '3',
              CATALOG_TIMEOUT_MS: '1000',
              CATALOG_BREAKER_THRESHOLD: '1',
              CATALOG_BREAKER_OPEN_MS: '10000',
            },
          },
        });
      },
    );
  });

  describe('IAM', () => {
    it.each(databaseFunctions)('lets %s use the Data API on the cluster and read its own secret', (name) => {
      const { fn } = stack.functions.handler(name);

      expect(statementsOf(fn)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Allow',
            Action: expect.arrayContaining(['rds-data:ExecuteStatement', 'rds-data:BeginTransaction']),
            Resource: {
              'Fn::Join': ['', expect.arrayContaining([{ Ref: logicalIdOf(stack.database.cluster) }])],
            },
          }),
          expect.objectContaining({
            Effect: 'Allow',
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: { Ref: logicalIdOf(stack.database.credentials(name)) },
          }),
        ]),
      );
    });

    it.each(catalogFunctions)('gives %s nothing beyond logs, tracing, Data API and secret read', (name) => {
      const actions = actionsOf(stack.functions.handler(name).fn);

      expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
      expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      expect([...new Set(actions.map((a) => a.split(':')[0]))].sort()).toEqual([
        'logs',
        'rds-data',
        'secretsmanager',
        'xray',
      ]);
    });

    it.runIf(hasRoutes('sales'))('lets sales write the aggregates and the idempotency records', () => {
      const { fn } = stack.functions.handler('sales');

      for (const table of [stack.tables.aggregates, stack.tables.idempotency]) {
        expect(tableActionsOf(fn, table)).toEqual(
          expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
        );
      }
    });

    it.runIf(hasRoutes('stats'))(
      'lets stats read the aggregates and invoke the live catalog functions only',
      () => {
        // Arrange
        const { fn } = stack.functions.handler('stats');
        const brand = stack.functions.handler('brand').live;
        const model = stack.functions.handler('model').live;

        // Act
        const actions = actionsOf(fn);

        // Assert
        expect(tableActionsOf(fn, stack.tables.aggregates)).toContain('dynamodb:Query');
        expect(tableActionsOf(fn, stack.tables.idempotency)).toEqual([]);
        expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
        expect(actions.filter((a) => /^(rds-data|secretsmanager):/.test(a))).toEqual([]);
        expect(statementsOf(fn).filter((s) => actionsIn(s).includes('lambda:InvokeFunction'))).toEqual([
          expect.objectContaining({ Resource: [{ Ref: logicalIdOf(brand) }, { Ref: logicalIdOf(model) }] }),
        ]);
      },
    );

    it.each(routedFunctions)('attaches no AWS managed policy to the role of %s', (name) => {
      const { fn } = stack.functions.handler(name);

      const role = template.findResources('AWS::IAM::Role')[logicalIdOf(fn.role ?? fn)];

      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } }),
      ]);
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });
});

describe('Class: ServiceFunction', () => {
  describe('Method: bindTable', () => {
    const arrange = () => {
      const fixture = new Stack(testApp(), 'Fixture');
      const table = new dynamodb.Table(fixture, 'Table', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      });
      const fn = new ServiceFunction(fixture, 'Fn', 'fixture', {
        purpose: 'a fixture',
        entry: lambdaEntry('brand'),
      });
      return { fixture, table, fn };
    };

    it('sets the table name and grants reads only for read access', () => {
      // Arrange
      const { fixture, table, fn } = arrange();

      // Act
      fn.bindTable(table, 'read', 'SALES_TABLE');

      // Assert
      const tpl = Template.fromStack(fixture);
      tpl.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SALES_TABLE: { Ref: logicalIdOf(table) } }) },
      });
      const dynamoActions = actionsOf(fn, tpl).filter((a) => a.startsWith('dynamodb:'));
      expect(dynamoActions).toContain('dynamodb:Query');
      expect(dynamoActions).not.toContain('dynamodb:PutItem');
      expect(dynamoActions).not.toContain('dynamodb:UpdateItem');
    });

    it('grants writes too for readWrite access', () => {
      // Arrange
      const { fixture, table, fn } = arrange();

      // Act
      fn.bindTable(table, 'readWrite', 'SALES_TABLE');

      // Assert
      const dynamoActions = actionsOf(fn, Template.fromStack(fixture));
      expect(dynamoActions).toEqual(
        expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
      );
    });
  });
});
