import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The local twins of the CDK tables (same names of keys; see lib/sales-tables.ts). */
export const LOCAL_TABLES = {
  aggregates: 'sales-aggregates',
  idempotency: 'idempotency',
} as const;

/** The aggregates table's shape (partition `pk`, sort key `sk`), under any name. */
export function aggregatesTable(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

const DEFINITIONS: CreateTableCommandInput[] = [
  aggregatesTable(LOCAL_TABLES.aggregates),
  {
    TableName: LOCAL_TABLES.idempotency,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
];

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
  for (const definition of DEFINITIONS) {
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}
