import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystem, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Database } from '../../lib/database';
import { Migrations } from '../../lib/migrations';
import { MIGRATIONS_DIR } from '../../lib/paths';
import { buildStack, logicalIdOf, testApp } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

describe('Construct: Migrations', () => {
  it('runs as a custom resource keyed on the fingerprint of migrations/', () => {
    template.hasResourceProperties('Custom::DatabaseMigrations', {
      ServiceToken: Match.anyValue(),
      Database: 'sales',
      MigrationsFingerprint: FileSystem.fingerprint(MIGRATIONS_DIR),
    });
  });

  it('runs after the cluster and its writer instance exist', () => {
    const resource = template.findResources('Custom::DatabaseMigrations')[
      logicalIdOf(stack.migrations.resource)
    ];

    expect(resource?.DependsOn).toEqual(
      expect.arrayContaining([
        logicalIdOf(stack.database.cluster),
        expect.stringMatching(/^DatabaseClusterWriter/),
      ]),
    );
  });

  it('finishes before any API function version goes live', () => {
    for (const { live } of stack.functions.handlers) {
      template.hasResource('AWS::Lambda::Alias', {
        Properties: Match.objectLike({ FunctionName: { Ref: logicalIdOf(live.lambda) } }),
        DependsOn: Match.arrayWith([logicalIdOf(stack.migrations.resource)]),
      });
    }
  });

  it('reads the bundled migrations and reaches the database through the Data API', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          MIGRATIONS_DIR: '/var/task/migrations',
          POWERTOOLS_SERVICE_NAME: 'migrate',
          DB_NAME: 'sales',
          DB_CLUSTER_ARN: Match.anyValue(),
          DB_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it('bundles the migrations folder with the function', () => {
    // Arrange: bundle for real (the other tests skip it), on a stack with only what the migrations need.
    const app = testApp({ 'aws:cdk:bundling-stacks': ['**'] });
    const fixture = new Stack(app, 'MigrationsFixture');
    const database = new Database(fixture, 'Database', {
      minCapacity: 0.5,
      maxCapacity: 1,
      deletionProtection: false,
    });
    new Migrations(fixture, 'Migrations', { database });

    // Act
    const bundled = Template.fromStack(fixture);

    // Assert
    const [fn] = Object.values(
      bundled.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'migrate' } } },
      }),
    );
    const assetDir = path.join(
      app.outdir,
      `asset.${String(fn?.Properties.Code.S3Key).replace(/\.zip$/, '')}`,
    );
    expect(fs.readdirSync(path.join(assetDir, 'migrations')).sort()).toEqual(
      fs.readdirSync(MIGRATIONS_DIR).sort(),
    );
    expect(fs.existsSync(path.join(assetDir, 'index.js'))).toBe(true);
  }, 60_000);
});
