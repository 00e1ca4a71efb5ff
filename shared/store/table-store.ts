import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/** Where a store keeps its items, and the clock its expiries are read by. */
export interface TableStoreOptions {
  client: DynamoDBDocumentClient
  tableName: string
  now?: () => number
}

/** What a store over one of Herald's tables holds: the client, the table's name, and the time. */
export abstract class TableStore {
  protected readonly client: DynamoDBDocumentClient
  protected readonly table: string
  protected readonly now: () => number

  constructor(options: TableStoreOptions) {
    this.client = options.client
    this.table = options.tableName
    this.now = options.now ?? Date.now
  }
}
