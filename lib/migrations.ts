import * as path from 'node:path';
import {
  CfnElement,
  CustomResource,
  Duration,
  FileSystem,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DATABASE_ROLE_NAMES, grantsFingerprint } from '../lambdas/migrate/roles';
import type { Database } from './database';
import { MIGRATIONS_DIR } from './paths';
import { ServiceFunction } from './service-function';

export interface MigrationsProps {
  readonly database: Database;
}

/** Where the bundled migrations land in the function package (`/var/task` is the code root in Lambda). */
const BUNDLED_MIGRATIONS_DIR = '/var/task/migrations';

/**
 * Applies the SQL files in `migrations/` during the deployment, through a custom resource, as the master user;
 * then creates or updates each function's database role with its password and exactly its grants
 * (lambdas/migrate/roles.ts). It runs on create, and on every deployment that changes a migration or a grant
 * (their fingerprints are resource properties).
 */
export class Migrations extends Construct {
  readonly fn: ServiceFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MigrationsProps) {
    super(scope, id);

    this.fn = new ServiceFunction(this, 'Function', 'migrate', {
      purpose: 'applies pending SQL migrations and sets the database roles',
      // Leaves room for Aurora to scale up and for long statements (the Data API allows 45 s each).
      timeout: Duration.minutes(5),
      environment: { MIGRATIONS_DIR: BUNDLED_MIGRATIONS_DIR },
      bundling: {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            `cp -r "${path.join(inputDir, 'migrations')}" "${path.join(outputDir, 'migrations')}"`,
          ],
        },
      },
    });
    this.fn.bindDatabase(props.database, 'owner');
    // It reads each role's password to set it in PostgreSQL; the roles' functions read only their own.
    const roleSecrets = DATABASE_ROLE_NAMES.map((role) => [role, props.database.credentials(role)] as const);
    for (const [, secret] of roleSecrets) secret.grantRead(this.fn);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.fn,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    this.acknowledgeProviderFindings(provider);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseMigrations',
      properties: {
        Database: props.database.databaseName,
        // A new fingerprint means an Update event, which applies whatever is pending.
        MigrationsFingerprint: FileSystem.fingerprint(MIGRATIONS_DIR),
        GrantsFingerprint: grantsFingerprint(),
        RoleSecrets: Object.fromEntries(roleSecrets.map(([role, secret]) => [role, secret.secretArn])),
      },
    });
    // The Data API needs the writer instance up, not only the cluster resource.
    this.resource.node.addDependency(props.database.cluster);
  }

  private acknowledgeProviderFindings(provider: cr.Provider): void {
    const framework = Validations.of(provider);
    framework.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The role of the CDK provider framework function is CDK-managed; it only writes its own logs.',
    });
    const cfnFunction = this.fn.node.defaultChild;
    if (!(cfnFunction instanceof CfnElement))
      throw new Error('The migrations function has no CloudFormation resource');
    const fnLogicalId = Stack.of(this).getLogicalId(cfnFunction);
    framework.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: 'The CDK provider framework invokes whichever version of the migrations function is current.',
    });
  }
}
