import { Stack, Validations } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatabaseRole } from '../lambdas/migrate/roles';
import { routes } from '../lambdas/routes';
import { catalogClientEnvironment } from '../lambdas/shared/catalog/env';
import type { currencyEnv } from '../lambdas/shared/money';
import type { FunctionName } from '../lambdas/shared/route';
import { DEFAULTS } from './defaults';
import { SALES_TABLE_ENV, type SalesTables } from './sales-tables';
import { type DataApiDatabase, ServiceFunction } from './service-function';

export interface ApiFunctionsProps {
  readonly database: DataApiDatabase;
  readonly tables: SalesTables;
  /** Reserved concurrency per function, capping parallel database work; undefined: none. */
  readonly reservedConcurrency: number | undefined;
  /** ISO 4217 currency of figures when a request names none. */
  readonly reportingCurrency: string;
  /** Where the partner function onboards partners: the user pool, and the tier usage plans' name prefix. */
  readonly partners: { readonly userPool: cognito.IUserPool; readonly usagePlanPrefix: string };
}

/** An API handler and the `live` alias that API Gateway invokes and CodeDeploy shifts between versions. */
export interface ApiHandler {
  readonly name: FunctionName;
  readonly fn: ServiceFunction;
  readonly live: lambda.Alias;
}

interface Resources extends ApiFunctionsProps {
  readonly cursorSecret: secretsmanager.ISecret;
  /** Another API function, for functions that call it directly. */
  handler(name: FunctionName): ApiHandler;
}

/** How stats reads brands and models through their functions: cached, bounded, behind a breaker (as locally). */
const CATALOG_CLIENT = catalogClientEnvironment(DEFAULTS.catalog);

/**
 * What each function may touch, and nothing more; `bind*` sets the environment and the grant together.
 * The variable names are the functions' contract in lambdas/shared/config.ts and lambdas/<fn>/index.ts.
 */
const WIRING: Record<FunctionName, (fn: ServiceFunction, resources: Resources) => void> = {
  brand: databaseFunction('brand'),
  model: databaseFunction('model'),
  // Records sales in Aurora, projects them into the aggregates table, remembers Idempotency-Keys.
  sales: (fn, resources) => {
    databaseFunction('sales')(fn, resources);
    fn.bindTable(resources.tables.aggregates, 'readWrite', SALES_TABLE_ENV);
    fn.bindTable(resources.tables.idempotency, 'readWrite', 'IDEMPOTENCY_TABLE');
    fn.addEnvironments(reportingCurrency(resources));
  },
  // Reads the aggregates, and brands and models through the live catalog functions (not their tables).
  stats: (fn, resources) => {
    fn.bindTable(resources.tables.aggregates, 'read', SALES_TABLE_ENV);
    fn.bindFunction(resources.handler('brand').live, 'BRAND_FUNCTION_NAME');
    fn.bindFunction(resources.handler('model').live, 'MODEL_FUNCTION_NAME');
    fn.addEnvironments({ ...reportingCurrency(resources), ...CATALOG_CLIENT });
  },
  // Onboards partners: app clients in the user pool, API keys in the tier usage plans; no data access at all.
  partner: (fn, { partners, cursorSecret }) => {
    fn.bindCursorSecret(cursorSecret); // GET /partners pages
    fn.addEnvironments({
      USER_POOL_ID: partners.userPool.userPoolId,
      USAGE_PLAN_PREFIX: partners.usagePlanPrefix,
      ACCESS_TOKEN_MINUTES: String(DEFAULTS.accessTokenMinutes),
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient'],
        resources: [partners.userPool.userPoolArn],
      }),
    );
    const apigateway = (path: string) =>
      Stack.of(fn).formatArn({ service: 'apigateway', account: '', resource: path });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'apigateway:GET',
          'apigateway:POST',
          'apigateway:PATCH',
          'apigateway:DELETE',
          'apigateway:PUT',
        ],
        resources: [
          apigateway('/apikeys'),
          apigateway('/apikeys/*'),
          apigateway('/usageplans'),
          apigateway('/usageplans/*/keys'),
          apigateway('/usageplans/*/keys/*'),
          apigateway('/tags/*'),
        ],
      }),
    );
    // The findings are on the role's policy, which lives beside the function (lib/service-function.ts).
    const role = Validations.of(fn.role ?? fn);
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/apikeys/*]',
      reason: 'Partner API keys are created at run time; their ids are not known when the stack is deployed.',
    });
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/*/keys]',
      reason:
        'A key joins the usage plan of its tier; the plans are found by name at run time (no cycle with the stage).',
    });
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/*/keys/*]',
      reason: 'A tier change moves the key from one plan to another.',
    });
    role.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/tags/*]',
      reason: 'The tier is a tag on the partner key, whose ARN exists only at run time.',
    });
  },
};

/** Aurora as the function's own database role (lambdas/migrate/roles.ts), with signed pagination cursors. */
function databaseFunction(role: DatabaseRole) {
  return (fn: ServiceFunction, { database, cursorSecret }: Resources): void => {
    fn.bindDatabase(database, role);
    fn.bindCursorSecret(cursorSecret);
  };
}

function reportingCurrency(resources: Resources): Record<keyof typeof currencyEnv, string> {
  return { REPORTING_CURRENCY: resources.reportingCurrency };
}

/** One function per `fn` in the route table, so adding routes for a new function is all it takes to create it. */
export class ApiFunctions extends Construct {
  readonly handlers: readonly ApiHandler[];
  /** HMAC key that signs pagination cursors, shared by all functions so a cursor works on any of them. */
  readonly cursorSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key signing pagination cursors of the car-sales API',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the cursor key invalidates outstanding page cursors and needs a redeploy (it is passed as a dynamic reference); rotate deliberately.',
    });

    const names = [...new Set(routes.map((route) => route.fn))];
    this.handlers = names.map((name) => {
      const id = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      const fn = new ServiceFunction(this, `${id}Function`, name, {
        purpose: `${name} operations`,
        reservedConcurrentExecutions: props.reservedConcurrency,
      });
      // The version hash is computed at synthesis, so wiring below still lands in the published version.
      const live = new lambda.Alias(this, `${id}Live`, { aliasName: 'live', version: fn.currentVersion });
      return { name, fn, live };
    });

    // Wired once all exist, since a function may call another.
    const resources: Resources = {
      ...props,
      cursorSecret: this.cursorSecret,
      handler: (name) => this.handler(name),
    };
    for (const { name, fn } of this.handlers) WIRING[name](fn, resources);
  }

  handler(name: FunctionName): ApiHandler {
    const handler = this.handlers.find((h) => h.name === name);
    if (!handler) throw new Error(`No API function '${name}': it has no route in lambdas/routes.ts`);
    return handler;
  }
}
