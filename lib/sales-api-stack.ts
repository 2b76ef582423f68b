import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { apiName, SalesApi } from './api';
import { ApiFunctions } from './api-functions';
import { Auth } from './auth';
import { CanaryDeployments } from './canary-deployments';
import { Database } from './database';
import { IngestPipeline } from './ingest';
import { Migrations } from './migrations';
import { Observability } from './observability';
import { OutboxProjector } from './outbox-projector';
import { SalesTables } from './sales-tables';
import type { SalesApiSettings } from './settings';

export interface SalesApiStackProps extends StackProps {
  readonly settings: SalesApiSettings;
}

/** The car-sales API: data (Aurora, DynamoDB), auth (Cognito), functions, REST API, monitoring, safe deploys. */
export class SalesApiStack extends Stack {
  readonly database: Database;
  readonly tables: SalesTables;
  readonly auth: Auth;
  readonly migrations: Migrations;
  readonly functions: ApiFunctions;
  readonly projector: OutboxProjector;
  readonly ingest: IngestPipeline;
  readonly api: SalesApi;
  readonly observability: Observability;
  readonly canaryDeployments: CanaryDeployments;

  constructor(scope: Construct, id: string, props: SalesApiStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.database = new Database(this, 'Database', {
      minCapacity: settings.minCapacity,
      maxCapacity: settings.maxCapacity,
      deletionProtection: settings.deletionProtection,
    });
    this.tables = new SalesTables(this, 'SalesTables', { deletionProtection: settings.deletionProtection });
    this.auth = new Auth(this, 'Auth', {
      domainPrefix: settings.authDomainPrefix,
      deletionProtection: settings.deletionProtection,
      demoClients: settings.demoClients,
    });
    this.migrations = new Migrations(this, 'Migrations', { database: this.database });

    this.functions = new ApiFunctions(this, 'Functions', {
      database: this.database,
      tables: this.tables,
      reservedConcurrency: settings.reservedConcurrency,
      reportingCurrency: settings.reportingCurrency,
      partners: { userPool: this.auth.userPool, usagePlanPrefix: apiName(this) },
    });
    this.projector = new OutboxProjector(this, 'OutboxProjector', {
      database: this.database,
      aggregates: this.tables.aggregates,
      singleDrain: settings.reservedConcurrency !== undefined,
    });
    this.ingest = new IngestPipeline(this, 'Ingest', {
      database: this.database,
      aggregates: this.tables.aggregates,
      statuses: this.tables.ingestions,
      producer: this.functions.handler('sales').fn,
      reportingCurrency: settings.reportingCurrency,
    });

    // Whatever writes sales kicks a drain right after each commit; the schedule stays the safety net. The grant
    // names the function itself only (grantInvoke would add every version, `:*`).
    for (const writer of [this.functions.handler('sales').fn, this.ingest.worker]) {
      writer.addEnvironment('PROJECTOR_FUNCTION_NAME', this.projector.fn.functionArn);
      writer.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.projector.fn.functionArn],
        }),
      );
    }

    // New code goes live, and the schedule starts, only after the schema they expect is in place.
    for (const { live } of this.functions.handlers) live.node.addDependency(this.migrations.resource);
    this.projector.schedule.node.addDependency(this.migrations.resource);
    this.ingest.worker.node.addDependency(this.migrations.resource);

    this.api = new SalesApi(this, 'Api', {
      userPool: this.auth.userPool,
      functions: this.functions,
      tokenUrl: this.auth.tokenUrl,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      cache: { enabled: settings.apiCache, ttlSeconds: settings.apiCacheTtlSeconds },
      demoApiKeys: Object.keys(this.auth.clients),
    });

    this.observability = new Observability(this, 'Observability', {
      api: this.api,
      handlers: this.functions.handlers,
      workers: { projector: this.projector.fn, ingest: this.ingest.worker },
      otherFunctions: { docs: this.api.docs.fn },
      cluster: this.database.cluster,
      tables: {
        aggregates: this.tables.aggregates,
        idempotency: this.tables.idempotency,
        ingestions: this.tables.ingestions,
      },
      queues: {
        widgets: this.ingest.widgets,
        alarms: [this.ingest.deadLetterAlarm, this.ingest.backlogAlarm],
      },
      alarmEmail: settings.alarmEmail,
    });

    const { functionErrorAlarms, serverErrorRateAlarm } = this.observability;
    this.canaryDeployments = new CanaryDeployments(this, 'CanaryDeployments', {
      handlers: this.functions.handlers,
      // A canary rolls back on its own function's errors and on the API-wide 5xx rate.
      rollbackAlarms: (name) =>
        [functionErrorAlarms.get(name), serverErrorRateAlarm].filter((a) => a !== undefined),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API (stage v1)' });
    new CfnOutput(this, 'DocsUrl', {
      value: this.api.docsUrl,
      description: 'API console (Swagger UI, public); the OpenAPI document is at ApiUrl + openapi.yaml',
    });
    new CfnOutput(this, 'PartnerDashboardUrl', {
      value: this.api.docs.dashboardUrl,
      description: 'Partner dashboard (public page; sign in with an app client of the read scope)',
    });
    new CfnOutput(this, 'TokenUrl', { value: this.auth.tokenUrl, description: 'OAuth 2.0 token endpoint' });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'OperatorClientId', {
      value: this.auth.operator.userPoolClientId,
      description:
        'Admin app client of the operators (npm run partner); secret: aws cognito-idp describe-user-pool-client',
    });
    const { reader, writer, admin } = this.auth.clients;
    if (reader) new CfnOutput(this, 'ReaderClientId', { value: reader.userPoolClientId });
    if (writer) new CfnOutput(this, 'WriterClientId', { value: writer.userPoolClientId });
    if (admin) new CfnOutput(this, 'AdminClientId', { value: admin.userPoolClientId });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.observability.alarmTopic.topicArn,
      description: 'SNS topic every alarm notifies (firing and clearing); subscribe more recipients to it',
    });
  }
}
