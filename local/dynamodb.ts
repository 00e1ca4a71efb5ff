import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { createTableInput, TABLES, type TableDefinition } from '../shared/store/tables.js'
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './defaults.js'

export interface LocalDynamo {
  endpoint: string
  /** Answers every request with InternalServerError, as during an outage, keeping the data. */
  pause(): void
  /** Answers normally again. */
  resume(): void
  close(): Promise<void>
}

/** dynalite on loopback: in memory, or in `path` when given. Tables are ready as soon as they are created. */
export async function startDynamo(options: { port?: number; path?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  // Closing dynalite's server closes its store, so an outage is simulated in front of it instead.
  let failing = false
  const handlers = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[]
  server.removeAllListeners('request')
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!failing) {
      for (const handler of handlers) handler(request, response)
      return
    }
    request.resume()
    response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
    response.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Injected outage',
      }),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pause: () => {
      failing = true
    },
    resume: () => {
      failing = false
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS })
}

export type TableNames = Record<TableDefinition['id'], string>

/**
 * Creates every Herald table (from the shared definitions) under `prefix`, existing ones kept, and
 * waits until each is ACTIVE: a table is CREATING at first, and writes to it fail until then.
 */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<TableNames> {
  const names = {} as TableNames
  for (const table of TABLES) {
    names[table.id] = `${prefix}-${table.id}`
    try {
      await client.send(new CreateTableCommand(createTableInput(table, names[table.id])))
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error
    }
  }
  await Promise.all(
    Object.values(names).map((TableName) =>
      waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { TableName }),
    ),
  )
  return names
}
