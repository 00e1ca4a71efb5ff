import { randomUUID } from 'node:crypto'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll } from 'vitest'
import {
  createTables,
  type LocalDynamo,
  localDynamoClient,
  startDynamo,
  type TableNames,
} from '../../local/dynamodb.js'
import { Inbox } from '../../shared/inbox/inbox.js'
import { ConnectionStore } from '../../shared/store/connection-store.js'
import { HistoryStore } from '../../shared/store/history-store.js'
import { InboxStore } from '../../shared/store/inbox-store.js'
import { UserStore } from '../../shared/store/user-store.js'

export interface DynamoFixture {
  client: DynamoDBDocumentClient
  tables: TableNames
  endpoint: string
  /** New empty tables, for a test that must see nothing but its own items. */
  freshTables(): Promise<TableNames>
  /** Both stores over new empty tables. */
  freshStores(options?: { now?: () => number }): Promise<{
    connections: ConnectionStore
    history: HistoryStore
    inbox: Inbox
    preferences: UserStore
    tables: TableNames
  }>
}

/** A real dynalite server for the test file, with fresh tables. */
export function withLocalDynamo(): DynamoFixture {
  const fixture = {} as DynamoFixture
  let server: LocalDynamo
  beforeAll(async () => {
    server = await startDynamo()
    const raw = localDynamoClient(server.endpoint)
    fixture.endpoint = server.endpoint
    fixture.tables = await createTables(raw, `test-${randomUUID().slice(0, 8)}`)
    fixture.client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } })
    fixture.freshTables = () => createTables(raw, `test-${randomUUID().slice(0, 8)}`)
    fixture.freshStores = async (options = {}) => {
      const tables = await fixture.freshTables()
      const client = fixture.client
      const history = new HistoryStore({ client, tableName: tables.history, ...options })
      return {
        connections: new ConnectionStore({ client, tableName: tables.connections, ...options }),
        history,
        inbox: new Inbox(
          history,
          new InboxStore({ client, tableName: tables.history, ...options }),
          options.now,
        ),
        preferences: new UserStore({ client, tableName: tables.connections, ...options }),
        tables,
      }
    }
  })
  afterAll(async () => {
    fixture.client?.destroy()
    await server?.close()
  })
  return fixture
}
