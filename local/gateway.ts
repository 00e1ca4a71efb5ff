import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { APIGatewayAuthorizerResult } from 'aws-lambda'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import type { HeraldAuthorizerContext } from '../functions/websocket-event.js'
import { TokenBucket } from '../shared/fan-out/token-bucket.js'
import { withDefaults } from '../shared/options.js'
import {
  MOCK_ROUTES,
  type MockRoute,
  type RouteThrottle,
  STAGE_THROTTLE,
} from '../shared/protocol/gateway-routes.js'
import {
  IDLE_TIMEOUT_MS,
  MAX_CONNECTION_AGE_MS,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  NEW_CONNECTIONS_PER_SECOND,
} from '../shared/protocol/limits.js'
import { type BillMeter, unitsOf } from './bill-meter.js'
import { watchFrames } from './frame-rules.js'
import {
  authorizerEvent,
  flattenHeaders,
  forwardedContext,
  type GatewayIdentity,
  newConnectionId,
  routeEvent,
  selectRoute,
} from './gateway-events.js'
import { closeServer, guarded, listen } from './http.js'
import type { Guard } from './iam.js'
import type { LocalLambda } from './lambda-runtime.js'
import { ManagementApi, type ManagementCall, type OpenConnection } from './management-api.js'
import { mockAnswer, RouteThrottles } from './mock-route.js'

/** Which function serves each part of the API, as the CDK stack wires them. */
export interface GatewayRoutes {
  authorizer: string
  $connect: string
  $disconnect: string
  $default: string
  /** Routes selected by `$request.body.type`; anything else goes to `$default`. */
  [routeKey: string]: string
}

export interface GatewayOptions {
  lambda: LocalLambda
  routes: GatewayRoutes
  /** @default 'local' */
  stage?: string
  /**
   * Largest message a client may send, over all its frames; larger ones close the socket with
   * 1009, as API Gateway does. Each frame is also limited to 32 KB (1009), and binary frames are
   * refused (1003). @default 131072
   */
  maxMessageBytes?: number
  /** @default 600000 (10 min) */
  idleTimeoutMs?: number
  /** @default 7200000 (2 h) */
  maxConnectionAgeMs?: number
  /** Throttles the Management API like the account quota; unset means unthrottled. */
  throttle?: { rate: number; burst: number }
  /**
   * New connections a second, API Gateway's account quota across its WebSocket APIs in a region;
   * a handshake past it is refused with 429. @default 500
   */
  newConnectionsPerSecond?: number
  /** Routes API Gateway answers itself (MOCK integrations). @default MOCK_ROUTES */
  mockRoutes?: Record<string, MockRoute>
  /** The stage's default route throttling, for every route without its own. @default STAGE_THROTTLE */
  stageThrottle?: RouteThrottle
}

type GatewaySettings = Required<Omit<GatewayOptions, 'throttle'>> & Pick<GatewayOptions, 'throttle'>

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
}

/**
 * The twin of an API Gateway WebSocket API and its Management API on one loopback port.
 *
 * A handshake runs the authorizer and `$connect` before the socket is accepted (401/403/500 refuse
 * it with no socket); only then does the connection exist for the Management API, which answers
 * 410 GoneException before that and after the socket closes. Every close, for any reason, runs
 * `$disconnect`. Messages route on `$request.body.type`.
 */
export class LocalGateway {
  readonly #options: GatewaySettings
  readonly #open = new Map<string, OpenConnection>()
  readonly #wss: WebSocketServer
  readonly #server: Server
  readonly #management: ManagementApi
  readonly #identity: GatewayIdentity = { apiId: 'local', stage: 'local', domainName: '127.0.0.1' }
  readonly #throttles: RouteThrottles
  readonly #newConnections: TokenBucket
  #meter: BillMeter | undefined
  /** Every route key a message can select: the functions' and API Gateway's own. */
  readonly #routeKeys: Record<string, unknown>
  /** Each MOCK route's answer, or undefined for a one-way route. */
  readonly #mockAnswers = new Map<string, ((context: Record<string, unknown>) => string) | undefined>()
  #port = 0

  constructor(options: GatewayOptions) {
    this.#options = withDefaults<GatewaySettings>(
      {
        stage: 'local',
        maxMessageBytes: MAX_MESSAGE_BYTES,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
        throttle: undefined,
        mockRoutes: MOCK_ROUTES,
        stageThrottle: STAGE_THROTTLE,
        newConnectionsPerSecond: NEW_CONNECTIONS_PER_SECOND,
        lambda: options.lambda,
        routes: options.routes,
      },
      options,
    )
    this.#identity.stage = this.#options.stage
    const { mockRoutes, stageThrottle } = this.#options
    this.#throttles = new RouteThrottles(stageThrottle, mockRoutes)
    this.#routeKeys = { ...this.#options.routes, ...mockRoutes }
    const { newConnectionsPerSecond: rate } = this.#options
    this.#newConnections = new TokenBucket(rate, rate)
    for (const [routeKey, route] of Object.entries(mockRoutes))
      this.#mockAnswers.set(routeKey, route.response === undefined ? undefined : mockAnswer(route.response))
    this.#management = new ManagementApi({
      lookup: (connectionId) => this.#open.get(connectionId),
      maxMessageBytes: this.#options.maxMessageBytes,
      throttle: options.throttle,
    })
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: this.#options.maxMessageBytes })
    this.#server = createServer(guarded((request, response) => this.#management.handle(request, response)))
    this.#server.on(
      'upgrade',
      (request, socket, head) => void this.#handshake(request, socket as Duplex, head),
    )
  }

  async listen(port = 0): Promise<void> {
    this.#port = await listen(this.#server, port)
    this.#identity.domainName = `127.0.0.1:${this.#port}`
  }

  get websocketUrl(): string {
    return `ws://127.0.0.1:${this.#port}`
  }

  /** What the SDK's ApiGatewayManagementApiClient takes as `endpoint`. */
  get managementUrl(): string {
    return `http://127.0.0.1:${this.#port}/${this.#options.stage}`
  }

  get connectionIds(): string[] {
    return [...this.#open.keys()]
  }

  /** Checks every Management API call against the caller's role from now on. */
  enforce(guard: Guard): void {
    this.#management.enforce(guard)
  }

  /**
   * Counts what API Gateway bills from now on: each message a client sends and each one sent to it
   * (32 KB units), by route or by the function that posted it, and every connection's minutes.
   */
  meter(meter: BillMeter): void {
    this.#meter = meter
    this.#management.meter(meter)
  }

  /** Management API requests answered, and how many of them with 429. */
  get stats() {
    return this.#management.stats
  }

  /**
   * Fault injection for reliability tests: answers every `every`th Management API request with
   * `status` (500 InternalServerError, 429 …) until cleared with `undefined`.
   */
  injectFaults(faults: { status: number; every: number } | undefined): void {
    this.#management.injectFaults(faults)
  }

  /** Calls `listener` with every Management API request answered from now on; returns what stops it. */
  onManagementCall(listener: (call: ManagementCall) => void): () => void {
    return this.#management.onCall(listener)
  }

  /** Drops a socket as a crash or network loss would: no close handshake and, optionally, no `$disconnect`. */
  drop(connectionId: string, options: { skipDisconnect?: boolean } = {}): void {
    const connection = this.#open.get(connectionId)
    if (!connection) return
    connection.skipDisconnect = options.skipDisconnect ?? false
    connection.socket.terminate()
  }

  /**
   * Goes away for `downtimeMs` as a redeployed or crashed gateway would: every socket is cut
   * (each `$disconnect` runs), new handshakes are refused, then it listens again on its port.
   */
  async restart(downtimeMs: number): Promise<void> {
    for (const connection of this.#open.values()) connection.socket.terminate()
    await closeServer(this.#server)
    await new Promise((resolve) => setTimeout(resolve, downtimeMs))
    await listen(this.#server, this.#port)
  }

  async close(): Promise<void> {
    for (const connection of this.#open.values()) connection.socket.close(1001, 'Going away')
    this.#wss.close()
    await closeServer(this.#server)
  }

  async #handshake(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    const url = new URL(request.url ?? '/', 'http://localhost')
    const query = Object.fromEntries(url.searchParams)
    const headers = flattenHeaders(request.headers)
    const connectionId = newConnectionId()
    const connectedAt = Date.now()

    // The account's quota of new connections comes first: past it the handshake is refused 429.
    if (!this.#newConnections.take()) return refuse(socket, 429)
    // API Gateway refuses a handshake without the identity source before calling the authorizer.
    if (!query.token) return refuse(socket, 401)
    let authorizer: HeraldAuthorizerContext
    try {
      const result = (await this.#options.lambda.invoke(
        this.#options.routes.authorizer,
        authorizerEvent(this.#identity, connectionId, query, headers),
      )) as APIGatewayAuthorizerResult
      const allowed = result.policyDocument.Statement.every((statement) => statement.Effect === 'Allow')
      if (!allowed) return refuse(socket, 403)
      const context = forwardedContext(result)
      if (!context) return refuse(socket, 500)
      authorizer = { ...context, principalId: result.principalId }
    } catch (error) {
      return refuse(socket, (error as Error).message === 'Unauthorized' ? 401 : 500)
    }

    const connection = { connectionId, connectedAt, authorizer }
    try {
      const result = (await this.#options.lambda.invoke(
        this.#options.routes.$connect,
        routeEvent(this.#identity, connection, '$connect', { headers, queryStringParameters: query }),
      )) as { statusCode?: number } | undefined
      const status = result?.statusCode ?? 200
      if (status < 200 || status >= 300) return refuse(socket, status)
    } catch {
      return refuse(socket, 500)
    }
    // A client that hung up leaves the socket half closed, not destroyed; `ws` would drop it
    // without a word, and API Gateway still runs `$disconnect` for a connection `$connect` accepted.
    if (socket.destroyed || !socket.readable || !socket.writable) {
      socket.destroy()
      this.#disconnect(connection, 1006, 'client left during $connect')
      return
    }
    // API Gateway's frame rules, seen on the raw bytes before `ws` decodes them.
    const frames: { violation?: { code: number; reason: string }; ws?: WebSocket } = {}
    watchFrames(socket as Socket, (code, reason) => {
      frames.violation = { code, reason }
      frames.ws?.close(code, reason)
    })
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      frames.ws = ws
      this.#accept(
        ws,
        {
          ...connection,
          sourceIp: request.socket.remoteAddress ?? '',
          userAgent: headers['user-agent'] ?? '',
        },
        () => frames.violation !== undefined,
      )
    })
  }

  #accept(
    socket: WebSocket,
    base: Pick<OpenConnection, 'connectionId' | 'connectedAt' | 'authorizer' | 'sourceIp' | 'userAgent'>,
    refused: () => boolean,
  ): void {
    const { idleTimeoutMs, maxConnectionAgeMs } = this.#options
    const connection: OpenConnection = {
      ...base,
      socket,
      lastActiveAt: Date.now(),
      idleTimer: setTimeout(() => socket.close(1001, 'Going away'), idleTimeoutMs),
      ageTimer: setTimeout(() => socket.close(1001, 'Going away'), maxConnectionAgeMs),
    }
    this.#open.set(connection.connectionId, connection)
    this.#meter?.add('route:$connect', 'apigateway.requests')
    // A frame API Gateway refuses closes the connection and never reaches a route.
    socket.on('message', (data) => {
      if (!refused()) this.#receive(connection, data)
    })
    socket.on('error', () => {})
    socket.on('close', (code, reason) => {
      clearTimeout(connection.idleTimer)
      clearTimeout(connection.ageTimer)
      this.#meter?.add(
        'connections',
        'apigateway.connectionMinutes',
        (Date.now() - connection.connectedAt) / 60_000,
      )
      this.#meter?.add('route:$disconnect', 'apigateway.requests')
      this.#open.delete(connection.connectionId)
      if (!connection.skipDisconnect) this.#disconnect(connection, code, reason.toString())
    })
  }

  #receive(connection: OpenConnection, data: RawData): void {
    connection.lastActiveAt = Date.now()
    connection.idleTimer.refresh()
    const raw = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])
    const body = raw.toString('utf8')
    const routeKey = selectRoute(this.#routeKeys, body)
    this.#meter?.add(`route:${routeKey}`, 'apigateway.messages', unitsOf(raw.length, MAX_FRAME_BYTES))
    this.#meter?.add(`route:${routeKey}`, 'apigateway.requests')
    const event = routeEvent(this.#identity, connection, routeKey, { body, isBase64Encoded: false })
    const { requestId } = event.requestContext
    // What API Gateway tells a client whose message it could not pass on.
    const answerError = (message: string) =>
      this.#answer(
        connection,
        JSON.stringify({ message, connectionId: connection.connectionId, requestId }),
        routeKey,
      )
    if (!this.#throttles.take(routeKey)) {
      answerError('Too Many Requests')
      return
    }
    if (this.#mockAnswers.has(routeKey)) {
      const answer = this.#mockAnswers.get(routeKey)
      if (answer)
        this.#answer(connection, answer(event.requestContext as unknown as Record<string, unknown>), routeKey)
      return
    }
    this.#options.lambda
      .invoke(this.#options.routes[routeKey] as string, event)
      .catch(() => answerError('Internal server error'))
  }

  /** A message API Gateway itself sends the client: a route response or an error. */
  #answer(connection: OpenConnection, frame: string, routeKey: string): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return
    connection.socket.send(frame)
    this.#meter?.add(
      `route:${routeKey}`,
      'apigateway.messages',
      unitsOf(Buffer.byteLength(frame), MAX_FRAME_BYTES),
    )
  }

  #disconnect(
    connection: Pick<OpenConnection, 'connectionId' | 'connectedAt' | 'authorizer'>,
    code: number,
    reason: string,
  ): void {
    const event = routeEvent(this.#identity, connection, '$disconnect', {
      disconnectStatusCode: code,
      disconnectReason: reason,
    })
    this.#options.lambda.invokeAsync(this.#options.routes.$disconnect, event)
  }
}

function refuse(socket: Duplex, status: number): void {
  const text = STATUS_TEXT[status] ?? 'Error'
  const body = JSON.stringify({ message: text })
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  )
}
