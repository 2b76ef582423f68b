import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DatabaseRole } from '../lambdas/migrate/roles';
import type { cursorEnv, databaseEnv } from '../lambdas/shared/config';
import { lambdaEntry, REPO_ROOT } from './paths';

/**
 * How every function is bundled (esbuild, through NodejsFunction); bench/cold-start.ts builds with the same.
 * Minified with source maps; the AWS SDK bundled, so the version tested locally is the one that runs, not
 * whatever the runtime ships; ES module builds preferred, so esbuild can tree-shake them; no legal comments (what
 * the dependencies mark so are coverage hints, `v8 ignore -- @preserve`, not licence texts).
 */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
  esbuildArgs: { '--legal-comments': 'none' },
} as const satisfies BundlingOptions;

/** CloudWatch namespace of the functions' custom metrics (Powertools Metrics). */
export const METRICS_NAMESPACE = 'CarSalesApi';

/**
 * Who a function logs in to the database as: its own role, with the grants of lambdas/migrate/roles.ts, or
 * `owner` (the master user, which owns the schema): the migrations only.
 */
export type DatabaseLogin = DatabaseRole | 'owner';

/** A database reachable through the RDS Data API; implemented by `Database`. */
export interface DataApiDatabase {
  readonly clusterArn: string;
  readonly databaseName: string;
  /** The Secrets Manager secret a login's Data API calls authenticate with. */
  credentials(login: DatabaseLogin): secretsmanager.ISecret;
  /** Grants the Data API actions on the cluster and read access to that login's secret, and no other. */
  grantDataApiAccess(grantee: iam.IGrantable, login: DatabaseLogin): iam.Grant;
}

export type TableAccess = 'read' | 'readWrite';

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'description'> {
  /** What the function does, for the console: its description reads `Car-sales API: <purpose>`. */
  readonly purpose: string;
  /** Entry file exporting `handler`; by default `lambdas/<serviceName>/index.ts`. */
  readonly entry?: string;
}

/**
 * A Node.js function of this project, with the defaults in one place: newest Node.js runtime, arm64,
 * minified bundle with source maps, its own log group with retention, X-Ray tracing, Powertools settings.
 * Resource access is added with the `bind*` methods, which set the environment and the grant together.
 */
export class ServiceFunction extends NodejsFunction {
  /** `POWERTOOLS_SERVICE_NAME`: the `service` dimension of the function's metrics. */
  readonly serviceName: string;

  /**
   * @param serviceName names the function in logs, traces and metrics (`POWERTOOLS_SERVICE_NAME`, the `service`
   *   dimension of its metrics), its code (`lambdas/<serviceName>/index.ts`) and, if it has one, its database role.
   */
  constructor(scope: Construct, id: string, serviceName: string, props: ServiceFunctionProps) {
    const { purpose, environment, bundling, entry = lambdaEntry(serviceName), ...overrides } = props;

    // Created beside the function (not inside: `this` is unusable before super) and passed in, so the
    // log group has a retention and the role needs no AWS managed policy to write to it.
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs xray:PutTraceSegments/PutTelemetryRecords, which support no resource-level scope.',
    });

    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.seconds(20),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      entry,
      description: `Car-sales API: ${purpose}`,
      ...overrides,
      environment: {
        // Stack traces point into the TypeScript sources (the bundle ships its source map).
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...environment,
      },
      bundling: { ...BUNDLING, mainFields: [...BUNDLING.mainFields], ...bundling },
    });
    this.serviceName = serviceName;
  }

  /**
   * Points the function at the Aurora database (`DB_*`) as `login` and grants the Data API and the read of that
   * login's secret only: the function can act with no other role's rights, in SQL or in IAM.
   */
  bindDatabase(database: DataApiDatabase, login: DatabaseLogin): void {
    const env = {
      DB_CLUSTER_ARN: database.clusterArn,
      DB_SECRET_ARN: database.credentials(login).secretArn,
      DB_NAME: database.databaseName,
    } satisfies Record<keyof typeof databaseEnv, string>;
    this.addEnvironments(env);
    database.grantDataApiAccess(this, login);
  }

  /** Passes the pagination cursor key (`CURSOR_SECRET`). */
  bindCursorSecret(secret: secretsmanager.ISecret): void {
    const env = {
      // A CloudFormation dynamic reference: the value is resolved at deploy time and never appears in the
      // template or the repo. Reading it from Secrets Manager at runtime instead would cost a call per cold
      // start and an extra grant; the trade-off is that the value is visible in the Lambda configuration and
      // a rotation needs a redeploy.
      CURSOR_SECRET: secret.secretValue.unsafeUnwrap(),
    } satisfies Record<keyof typeof cursorEnv, string>;
    this.addEnvironments(env);
  }

  /** Puts a table's name into `envVar` and grants exactly the access asked for. */
  bindTable(table: dynamodb.ITable, access: TableAccess, envVar: string): void {
    this.addEnvironment(envVar, table.tableName);
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
  }

  /** Puts another function's ARN (qualified, for an alias) into `envVar` and grants invoking it. */
  bindFunction(target: lambda.IFunction, envVar: string): void {
    // Invoke takes a name or an ARN as FunctionName; the ARN is the one reference CloudFormation hands out.
    this.addEnvironment(envVar, target.functionArn);
    target.grantInvoke(this);
  }

  /** Plain settings, no resource behind them. */
  addEnvironments(variables: Record<string, string>): void {
    for (const [name, value] of Object.entries(variables)) this.addEnvironment(name, value);
  }
}
