import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WebSocket } from 'ws'
import type { HeraldAuthorizerContext } from '../functions/websocket-event.js'
import { TokenBucket } from '../shared/fan-out/token-bucket.js'
import { MAX_FRAME_BYTES as FRAME } from '../shared/protocol/limits.js'
import { type BillMeter, payerOf, unitsOf } from './bill-meter.js'
import { readBody, send, sendAwsError } from './http.js'
import { accessKeyIdOf, type Guard, localArn } from './iam.js'

/** A socket the gateway has accepted, as the Management API sees it. */
export interface OpenConnection {
  connectionId: string
  socket: WebSocket
  connectedAt: number
  lastActiveAt: number
  sourceIp: string
  userAgent: string
  authorizer: HeraldAuthorizerContext
  idleTimer: NodeJS.Timeout
  ageTimer: NodeJS.Timeout
  /** Set when the socket goes without `$disconnect` (a simulated crash), for stale-connection tests. */
  skipDisconnect?: boolean
}

/** One Management API request and its answer, as CloudTrail would list it. */
export interface ManagementCall {
  method: string
  connectionId: string
  status: number
  /** The access key the request was signed with: each function signs with its own (see iam.ts). */
  accessKeyId: string | undefined
}

const MANAGEMENT_PATH = /^(?:\/[^@]*)?\/@connections\/([^/?]+)\/?$/

export interface ManagementApiOptions {
  /** The gateway's open connections, by id. */
  lookup: (connectionId: string) => OpenConnection | undefined
  maxMessageBytes: number
  /** Throttles like the account quota; unset means unthrottled. */
  throttle?: { rate: number; burst: number }
}

/**
 * The twin of the Management API (`POST`, `GET`, `DELETE /@connections/{id}`): faults and the
 * account quota's 429 first, then IAM (403 even for a gone id, as on AWS), then 410 GoneException
 * for a connection that is not open.
 */
export class ManagementApi {
  /** Requests answered, and how many of them with 429. */
  readonly stats = { managementRequests: 0, throttled: 0 }
  readonly #options: ManagementApiOptions
  readonly #bucket: TokenBucket | undefined
  #faults: { status: number; every: number } | undefined
  #guard: Guard | undefined
  #meter: BillMeter | undefined
  readonly #listeners = new Set<(call: ManagementCall) => void>()

  constructor(options: ManagementApiOptions) {
    this.#options = options
    this.#bucket = options.throttle
      ? new TokenBucket(options.throttle.rate, options.throttle.burst)
      : undefined
  }

  enforce(guard: Guard): void {
    this.#guard = guard
  }

  /** Counts each message posted to a client, in API Gateway's 32 KB units, against the caller. */
  meter(meter: BillMeter): void {
    this.#meter = meter
  }

  /** Answers every `every`th request with `status` (500 or 429), until called with undefined. */
  injectFaults(faults: { status: number; every: number } | undefined): void {
    this.#faults = faults
  }

  /** Calls `listener` with every request answered from now on; returns what stops it. */
  onCall(listener: (call: ManagementCall) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = request.url?.match(MANAGEMENT_PATH)
    if (!match) return sendAwsError(response, 404, 'NotFoundException', 'Not Found')
    const decoded = decodedId(match[1] as string)
    const connectionId = decoded ?? (match[1] as string)
    if (this.#listeners.size > 0) {
      response.on('finish', () => {
        const accessKeyId = accessKeyIdOf(request.headers.authorization)
        const call = { method: request.method ?? '', connectionId, status: response.statusCode, accessKeyId }
        for (const listener of this.#listeners) listener(call)
      })
    }
    this.stats.managementRequests++
    if (this.#faults && this.stats.managementRequests % this.#faults.every === 0) {
      const type = this.#faults.status === 429 ? 'LimitExceededException' : 'InternalServerErrorException'
      return sendAwsError(response, this.#faults.status, type, 'Injected fault')
    }
    if (this.#bucket && !this.#bucket.take()) {
      this.stats.throttled++
      return sendAwsError(response, 429, 'LimitExceededException', 'Too Many Requests')
    }
    const denial = this.#guard?.(
      request.headers.authorization,
      'execute-api:ManageConnections',
      localArn.connection(request.method ?? '', connectionId),
    )
    if (denial) {
      request.resume()
      return sendAwsError(response, 403, denial.type, denial.message)
    }
    if (decoded === undefined)
      return sendAwsError(response, 400, 'BadRequestException', 'Invalid connection id')
    const connection = this.#options.lookup(connectionId)
    if (!connection) return sendAwsError(response, 410, 'GoneException', 'Gone')
    return this.#answer(request, response, connection)
  }

  async #answer(
    request: IncomingMessage,
    response: ServerResponse,
    connection: OpenConnection,
  ): Promise<void> {
    switch (request.method) {
      case 'POST': {
        const body = await readBody(request, this.#options.maxMessageBytes)
        if (!body) return sendAwsError(response, 413, 'PayloadTooLargeException', 'Message too long')
        if (connection.socket.readyState !== connection.socket.OPEN)
          return sendAwsError(response, 410, 'GoneException', 'Gone')
        // The posted bytes as a text frame, without decoding them to re-encode them.
        connection.socket.send(body, { binary: false })
        this.#meter?.add(
          payerOf(request.headers.authorization),
          'apigateway.messages',
          unitsOf(body.length, FRAME),
        )
        return send(response, 200)
      }
      case 'GET':
        return send(
          response,
          200,
          JSON.stringify({
            ConnectedAt: new Date(connection.connectedAt).toISOString(),
            LastActiveAt: new Date(connection.lastActiveAt).toISOString(),
            Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
          }),
        )
      case 'DELETE':
        connection.socket.close(1000, 'Closed by the server')
        return send(response, 204)
      default:
        return sendAwsError(response, 405, 'MethodNotAllowedException', 'Method Not Allowed')
    }
  }
}

/** The connection id in a request path, or none when its percent-encoding is broken. */
function decodedId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded)
  } catch {
    return undefined
  }
}
