import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { aggregatesEnv } from '../lambdas/shared/config';
import { TABLE_SHAPES, type TableShape } from './table-shapes';

/** The variable the functions read the aggregates table's name from (lambdas/shared/config.ts). */
export const SALES_TABLE_ENV: keyof typeof aggregatesEnv = 'SALES_TABLE';

export interface SalesTablesProps {
  /** Deletion protection on, and the tables retained if the stack goes. */
  readonly deletionProtection: boolean;
}

/** DynamoDB tables of the sales path: per-model aggregates, and the Powertools idempotency records. */
export class SalesTables extends Construct {
  /** Per-model sales aggregates, keyed `pk` / `sk` (layout owned by the sales functions). */
  readonly aggregates: dynamodb.Table;
  /** Powertools idempotency persistence: key `id`, records expire through TTL on `expiration`. */
  readonly idempotency: dynamodb.Table;
  /** Statuses of queued sales events: key `id`, expiring through TTL on `expiresAt`. */
  readonly ingestions: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SalesTablesProps) {
    super(scope, id);

    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    } satisfies Partial<dynamodb.TableProps>;

    const table = (id: string, shape: TableShape) =>
      new dynamodb.Table(this, id, {
        ...common,
        partitionKey: { name: shape.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: shape.sortKey ? { name: shape.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
        timeToLiveAttribute: shape.timeToLiveAttribute,
      });
    this.aggregates = table('Aggregates', TABLE_SHAPES.aggregates);
    this.idempotency = table('Idempotency', TABLE_SHAPES.idempotency);
    this.ingestions = table('Ingestions', TABLE_SHAPES.ingestions);
  }
}
