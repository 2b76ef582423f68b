import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { aggregatesEnv } from '../lambdas/shared/config';

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

  constructor(scope: Construct, id: string, props: SalesTablesProps) {
    super(scope, id);

    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    } satisfies Partial<dynamodb.TableProps>;

    this.aggregates = new dynamodb.Table(this, 'Aggregates', {
      ...common,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });

    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      ...common,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
  }
}
