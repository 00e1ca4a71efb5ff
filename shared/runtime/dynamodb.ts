import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { ConnectionStore } from '../store/connection-store.js'
import { HistoryStore } from '../store/history-store.js'
import { type AwsClients, clientConfig } from './aws-clients.js'
import { type Env, storeConfig } from './config.js'

export function documentClientOf(aws: AwsClients): DynamoDBDocumentClient {
  return aws.client('dynamodb', () =>
    DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(aws, 'dynamodb')), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  )
}

/** The two stores, over the function's DynamoDB client. */
export function stores(env: Env, aws: AwsClients) {
  const config = storeConfig(env)
  const client = documentClientOf(aws)
  return {
    connections: new ConnectionStore({ client, tableName: config.connectionsTable, shards: config.shards }),
    history: new HistoryStore({
      client,
      tableName: config.historyTable,
      retentionSeconds: config.historySeconds,
    }),
  }
}
