import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { createTableInput, TABLES, type TableDefinition } from '../shared/store/tables.js'
import { type BillMeter, payerOf } from './bill-meter.js'
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
  /** Counts the read and write units every request consumes, by the function that made it. */
  meter(meter: BillMeter): void
  close(): Promise<void>
}

/** What the twin reads of a DynamoDB request before dynalite does. */
interface CallInput {
  TableName?: string
  RequestItems?: Record<string, unknown>
  ReturnConsumedCapacity?: string
  ConsistentRead?: boolean
}

const operationOf = (request: IncomingMessage): string =>
  String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? ''

/** The request body as JSON, read once for IAM and the meter; undefined when it is not JSON (dynalite refuses it). */
function callInput(body: Buffer): CallInput | undefined {
  try {
    return JSON.parse(body.toString('utf8') || '{}')
  } catch {
    return undefined
  }
}

/** The first table this DynamoDB call may not touch, as IAM would say it; undefined when all are allowed. */
function deniedCall(guard: Guard, request: IncomingMessage, input: CallInput = {}): Denial | undefined {
  const operation = operationOf(request)
  const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {})
  if (tables.length === 0)
    return guard(request.headers.authorization, `dynamodb:${operation}`, localArn.table('*'))
  for (const table of tables) {
    const denial = guard(request.headers.authorization, `dynamodb:${operation}`, localArn.table(table))
    if (denial) return denial
  }
  return undefined
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
const SCANS = new Set(['Query', 'Scan'])

interface Consumed {
  CapacityUnits?: number
}

/**
 * Asks dynalite for the capacity a call consumes, as DynamoDB computes it (item sizes rounded to
 * 1 KB written and 4 KB read, half for an eventually consistent read, a Query billed for what it
 * read, not what it returned), counts it against the caller, and answers the caller as it asked:
 * without `ConsumedCapacity` unless it wanted it. Returns the body to hand dynalite.
 */
function meterCall(
  meter: BillMeter,
  request: IncomingMessage,
  body: Buffer,
  input: CallInput | undefined,
  response: ServerResponse,
): Buffer {
  if (!input) return body
  const operation = operationOf(request)
  const asked = input.ReturnConsumedCapacity !== undefined && input.ReturnConsumedCapacity !== 'NONE'
  const payer = payerOf(request.headers.authorization)
  const end = response.end.bind(response) as (chunk?: unknown) => ServerResponse
  response.end = ((chunk?: unknown) => {
    if (response.statusCode !== 200 || chunk === undefined) {
      // A write whose condition fails still consumes a write (at least one unit; the item's size is not told).
      if (WRITES.has(operation) && String(chunk).includes('ConditionalCheckFailed')) {
        meter.add(payer, 'dynamodb.writeUnits', 1)
      }
      return end(chunk)
    }
    const output = JSON.parse(String(chunk)) as { ConsumedCapacity?: Consumed | Consumed[] }
    const consumed = [output.ConsumedCapacity ?? []].flat()
    let units = consumed.reduce((sum, { CapacityUnits }) => sum + (CapacityUnits ?? 0), 0)
    // A Query or Scan that reads nothing still consumes a read.
    if (SCANS.has(operation)) units = Math.max(units, input.ConsistentRead ? 1 : 0.5)
    meter.add(payer, WRITES.has(operation) ? 'dynamodb.writeUnits' : 'dynamodb.readUnits', units)
    if (asked) return end(chunk)
    delete output.ConsumedCapacity
    const text = JSON.stringify(output)
    response.setHeader('x-amz-crc32', crc32(text))
    response.setHeader('Content-Length', Buffer.byteLength(text))
    return end(text)
  }) as typeof response.end
  return asked ? body : Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }))
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
  let meter: BillMeter | undefined
  const answer = (response: ServerResponse, status: number, type: string, message: string) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' })
    response.end(JSON.stringify({ __type: type, message }))
  }
  server.on('request', async (request: IncomingMessage, response: ServerResponse) => {
    if (failing) {
      request.resume()
      return answer(response, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Injected outage')
    }
    if (!guard && !meter) {
      for (const handler of handlers) handler(request, response)
      return
    }
    // IAM decides on the operation and its tables before DynamoDB reads the request.
    // DynamoDB's request limit is 16 MB; a larger body reaches dynalite empty and is refused.
    let body = (await readBody(request, 16 * 1024 * 1024)) ?? Buffer.alloc(0)
    const input = callInput(body)
    const denial = guard && deniedCall(guard, request, input)
    if (denial) return answer(response, 400, `com.amazon.coral.service#${denial.type}`, denial.message)
    if (meter) body = meterCall(meter, request, body, input, response)
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
    meter: (counter) => {
      meter = counter
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
