import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { routes } from '../lambdas/routes';
import type { FunctionName } from '../lambdas/shared/route';
import { lambdaEntry } from './paths';
import type { SalesTables } from './sales-tables';
import { type DataApiDatabase, ServiceFunction } from './service-function';

export interface ApiFunctionsProps {
  readonly database: DataApiDatabase;
  readonly tables: SalesTables;
  /** Reserved concurrency per function, capping parallel database work; undefined: none. */
  readonly reservedConcurrency: number | undefined;
}

/** An API handler and the `live` alias that API Gateway invokes and CodeDeploy shifts between versions. */
export interface ApiHandler {
  readonly name: FunctionName;
  readonly fn: ServiceFunction;
  readonly live: lambda.Alias;
}

interface Resources {
  readonly database: DataApiDatabase;
  readonly tables: SalesTables;
  readonly cursorSecret: secretsmanager.ISecret;
}

/**
 * What each function may touch, and nothing more; `bind*` sets the environment and the grant together.
 * Table variables are named after the tables (see local/tables.ts for their local twins).
 */
const WIRING: Record<FunctionName, (fn: ServiceFunction, resources: Resources) => void> = {
  brand: catalogFunction,
  model: catalogFunction,
  // Records sales in Aurora, projects them into the aggregates, and remembers Idempotency-Keys.
  sales: (fn, resources) => {
    catalogFunction(fn, resources);
    fn.bindTable(resources.tables.aggregates, 'readWrite', 'AGGREGATES_TABLE_NAME');
    fn.bindTable(resources.tables.idempotency, 'readWrite', 'IDEMPOTENCY_TABLE_NAME');
  },
  // Reads the aggregates; looks models up in the catalog.
  stats: (fn, { database, tables }) => {
    fn.bindDatabase(database);
    fn.bindTable(tables.aggregates, 'read', 'AGGREGATES_TABLE_NAME');
  },
};

/** Catalog reads and writes in Aurora, with signed pagination cursors. */
function catalogFunction(fn: ServiceFunction, { database, cursorSecret }: Resources): void {
  fn.bindDatabase(database);
  fn.bindCursorSecret(cursorSecret);
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

    const resources: Resources = {
      database: props.database,
      tables: props.tables,
      cursorSecret: this.cursorSecret,
    };
    const names = [...new Set(routes.map((route) => route.fn))];
    this.handlers = names.map((name) => {
      const id = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      const fn = new ServiceFunction(this, `${id}Function`, {
        entry: lambdaEntry(name),
        serviceName: name,
        description: `Car-sales API: ${name} operations`,
        reservedConcurrentExecutions: props.reservedConcurrency,
      });
      WIRING[name](fn, resources);
      const live = new lambda.Alias(this, `${id}Live`, { aliasName: 'live', version: fn.currentVersion });
      return { name, fn, live };
    });
  }

  handler(name: FunctionName): ApiHandler {
    const handler = this.handlers.find((h) => h.name === name);
    if (!handler) throw new Error(`No API function '${name}': it has no route in lambdas/routes.ts`);
    return handler;
  }
}
