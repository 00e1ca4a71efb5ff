import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb'

/**
 * The one definition of Herald's tables, read by the store, the CDK construct and the local twin.
 * Both are plain key-value layouts with no secondary index: every lookup is a Query on a
 * partition key that the store composes (see keys.ts), which keeps reads proportional to results.
 */
export interface TableDefinition {
  /** Logical id, also the suffix of the local table name. */
  readonly id: 'connections' | 'history'
  readonly partitionKey: 'pk'
  readonly sortKey: 'sk'
  /** Epoch seconds; DynamoDB TTL on AWS, read-time filtering and the local sweeper elsewhere. */
  readonly ttlAttribute: 'expiresAt'
}

export const CONNECTIONS_TABLE: TableDefinition = {
  id: 'connections',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
}

export const HISTORY_TABLE: TableDefinition = {
  id: 'history',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
}

export const TABLES: readonly TableDefinition[] = [CONNECTIONS_TABLE, HISTORY_TABLE]

/** The CreateTable request for a definition: on-demand, string keys. */
export function createTableInput(table: TableDefinition, tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: table.partitionKey, AttributeType: 'S' },
      { AttributeName: table.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
  }
}
