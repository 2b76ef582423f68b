import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { SALES_TABLE_ENV } from './sales-tables';
import { type DataApiDatabase, ServiceFunction } from './service-function';

export interface OutboxProjectorProps {
  readonly database: DataApiDatabase;
  readonly aggregates: dynamodb.ITable;
  /** Reserve a concurrency of one, so drains never overlap (needs an account quota that allows reserving). */
  readonly singleDrain: boolean;
}

/**
 * Drains the sales outbox in Aurora into the aggregates table when a sales write kicks it (asynchronous invoke)
 * and every minute: the safety net for whatever a sales request could not project itself.
 */
export class OutboxProjector extends Construct {
  readonly fn: ServiceFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: OutboxProjectorProps) {
    super(scope, id);

    this.fn = new ServiceFunction(this, 'Function', 'projector', {
      purpose: 'projects the sales outbox into the aggregates',
      timeout: Duration.minutes(2),
      reservedConcurrentExecutions: props.singleDrain ? 1 : undefined,
    });
    this.fn.bindDatabase(props.database, 'projector');
    this.fn.bindTable(props.aggregates, 'readWrite', SALES_TABLE_ENV);
    // Kicks from the sales function: a throttled kick older than a schedule tick is worth nothing.
    this.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Drain the sales outbox',
      schedule: events.Schedule.rate(Duration.minutes(DEFAULTS.projectorInterval.deployedMinutes)),
      // No retries: the next tick drains whatever is left.
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 0 })],
    });
  }
}
