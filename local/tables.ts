import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SHAPES, type TableName, type TableShape } from '../lib/table-shapes';

/** The local twins of the CDK tables, with the same keys (lib/table-shapes.ts). */
export const LOCAL_TABLES = {
  aggregates: 'sales-aggregates',
  idempotency: 'idempotency',
  ingestions: 'ingestions',
} as const satisfies Record<TableName, string>;

/** A table of this shape under any name (benchmarks create extra aggregates tables). */
export function tableDefinition(tableName: string, shape: TableShape): CreateTableCommandInput {
  const keys: KeySchemaElement[] = [{ AttributeName: shape.partitionKey, KeyType: 'HASH' }];
  if (shape.sortKey) keys.push({ AttributeName: shape.sortKey, KeyType: 'RANGE' });
  const attributes: AttributeDefinition[] = keys.map((key) => ({
    AttributeName: key.AttributeName,
    AttributeType: 'S',
  }));
  return {
    TableName: tableName,
    AttributeDefinitions: attributes,
    KeySchema: keys,
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** The aggregates table's shape under any name. */
export const aggregatesTable = (tableName: string) => tableDefinition(tableName, TABLE_SHAPES.aggregates);

export function localDynamoClient(endpoint: string) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  return { client, documents: DynamoDBDocumentClient.from(client) };
}

export async function createLocalTables(client: DynamoDBClient) {
  for (const name of Object.keys(LOCAL_TABLES) as TableName[]) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(LOCAL_TABLES[name], TABLE_SHAPES[name])));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}
