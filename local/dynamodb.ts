import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { createTableInput, TABLES, type TableDefinition } from '../shared/store/tables.js'
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './defaults.js'
import { readBody } from './http.js'
import { type Denial, type Guard, localArn } from './iam.js'

export interface LocalDynamo {
  endpoint: string
  /** Answers every request with InternalServerError, as during an outage, keeping the data. */
  pause(): void
  /** Answers normally again. */
  resume(): void
  /** Checks every request against the caller's role from now on. */
  enforce(guard: Guard): void
  close(): Promise<void>
}

/** The first table this DynamoDB call may not touch, as IAM would say it; undefined when all are allowed. */
function deniedCall(guard: Guard, request: IncomingMessage, body: Buffer): Denial | undefined {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? ''
  let input: { TableName?: string; RequestItems?: Record<string, unknown> } = {}
  try {
    input = JSON.parse(body.toString('utf8') || '{}')
  } catch {
    // Not JSON: DynamoDB's own validation answers it.
  }
  const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {})
  if (tables.length === 0)
    return guard(request.headers.authorization, `dynamodb:${operation}`, localArn.table('*'))
  for (const table of tables) {
    const denial = guard(request.headers.authorization, `dynamodb:${operation}`, localArn.table(table))
    if (denial) return denial
  }
  return undefined
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
  let guard: Guard | undefined
  const answer = (response: ServerResponse, status: number, type: string, message: string) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' })
    response.end(JSON.stringify({ __type: type, message }))
  }
  server.on('request', async (request: IncomingMessage, response: ServerResponse) => {
    if (failing) {
      request.resume()
      return answer(response, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Injected outage')
    }
    if (!guard) {
      for (const handler of handlers) handler(request, response)
      return
    }
    // IAM decides on the operation and its tables before DynamoDB reads the request.
    // DynamoDB's request limit is 16 MB; a larger body reaches dynalite empty and is refused.
    const body = (await readBody(request, 16 * 1024 * 1024)) ?? Buffer.alloc(0)
    const denial = deniedCall(guard, request, body)
    if (denial) return answer(response, 400, `com.amazon.coral.service#${denial.type}`, denial.message)
    const replay = Object.assign(Readable.from([body]), {
      headers: request.headers,
      method: request.method,
      url: request.url,
    })
    for (const handler of handlers) handler(replay as unknown as IncomingMessage, response)
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
    enforce: (check) => {
      guard = check
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
