import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { ConnectionStore } from '../store/connection-store.js'
import { HistoryStore } from '../store/history-store.js'
import { storeConfig } from './config.js'

type Env = Record<string, string | undefined>

// Endpoints are never configured here: the SDK reads AWS_ENDPOINT_URL_<SERVICE> itself, which is
// how the local twin points the very same code at its own servers.

export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  })
}

/** The two stores, over one DynamoDB client. */
export function stores(env: Env, client: DynamoDBDocumentClient = documentClient()) {
  const config = storeConfig(env)
  return {
    connections: new ConnectionStore({ client, tableName: config.connectionsTable, shards: config.shards }),
    history: new HistoryStore({
      client,
      tableName: config.historyTable,
      retentionSeconds: config.historySeconds,
    }),
  }
}

/**
 * A Management API client that keeps its sockets alive and leaves retrying to the deliverer, which
 * knows the fan-out's deadline and counts the retries.
 */
export function managementClient(endpoint: string, maxSockets = 100): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
    },
  })
}

/** Starts a function without waiting for it, as Lambda's asynchronous invocation does. */
export function invokeAsync(client: LambdaClient, functionName: string) {
  return async (payload: unknown): Promise<void> => {
    await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: JSON.stringify(payload),
      }),
    )
  }
}
