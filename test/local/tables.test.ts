import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { SalesTables } from '../../lib/sales-tables';
import { TABLE_SHAPES } from '../../lib/table-shapes';
import { LOCAL_TABLES, tableDefinition } from '../../local/tables';
import { logicalIdOf } from '../cdk/synth';

/** The keys of a CloudFormation table or a CreateTable input, in one comparable form. */
const keysOf = (table: { KeySchema?: unknown; AttributeDefinitions?: unknown }) => ({
  KeySchema: table.KeySchema,
  AttributeDefinitions: table.AttributeDefinitions,
});

describe('DynamoDB tables: local twins and the CDK tables', () => {
  const stack = new Stack(new App(), 'Tables');
  const tables = new SalesTables(stack, 'SalesTables', { deletionProtection: false });
  const resources = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
  const cdkTable = (table: IConstruct): Record<string, unknown> => resources[logicalIdOf(table)]?.Properties;

  it.each([
    ['aggregates', tables.aggregates],
    ['idempotency', tables.idempotency],
  ] as const)('%s has the same keys locally and in AWS', (name, table) => {
    const local = tableDefinition(LOCAL_TABLES[name], TABLE_SHAPES[name]);

    expect(keysOf(local)).toEqual(keysOf(cdkTable(table)));
  });

  it('expires idempotency records in AWS on the attribute Powertools writes', () => {
    expect(cdkTable(tables.idempotency).TimeToLiveSpecification).toEqual({
      AttributeName: 'expiration',
      Enabled: true,
    });
  });
});
