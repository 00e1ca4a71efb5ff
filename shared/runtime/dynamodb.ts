import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { Inbox } from '../inbox/inbox.js'
import { ConnectionStore } from '../store/connection-store.js'
import { HistoryStore } from '../store/history-store.js'
import { InboxStore } from '../store/inbox-store.js'
import { UserStore } from '../store/user-store.js'
import { type AwsClients, clientConfig } from './aws-clients.js'
import { type Env, storeConfig } from './config.js'

export function documentClientOf(aws: AwsClients): DynamoDBDocumentClient {
  return aws.client('dynamodb', () =>
    DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(aws, 'dynamodb')), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  )
}

function historyOf(env: Env, aws: AwsClients): HistoryStore {
  const config = storeConfig(env)
  return new HistoryStore({
    client: documentClientOf(aws),
    tableName: config.historyTable,
    retentionSeconds: config.historySeconds,
  })
}

/** A user's inbox: their history and their read and dismissed marks, kept in the history table. */
export function inboxOf(env: Env, aws: AwsClients, history: HistoryStore = historyOf(env, aws)): Inbox {
  const config = storeConfig(env)
  return new Inbox(
    history,
    new InboxStore({
      client: documentClientOf(aws),
      tableName: config.historyTable,
      retentionSeconds: config.historySeconds,
    }),
  )
}

/** The stores, over the function's DynamoDB client. */
export function stores(
  env: Env,
  aws: AwsClients,
): { connections: ConnectionStore; history: HistoryStore; users: UserStore } {
  const config = storeConfig(env)
  const client = documentClientOf(aws)
  return {
    connections: new ConnectionStore({ client, tableName: config.connectionsTable, shards: config.shards }),
    history: historyOf(env, aws),
    users: new UserStore({ client, tableName: config.connectionsTable }),
  }
}
