/**
 * The routes API Gateway answers itself, declared once: the CDK construct deploys each as a MOCK
 * integration (and, where it answers, a route response), and the local gateway serves them the
 * same way. Neither runs a Lambda, reads DynamoDB or posts through the Management API, so a
 * heartbeat costs only the messages API Gateway bills (docs/architecture.md, Heartbeat).
 */

/** API Gateway's stage throttling: a token bucket shared by every client of a route. */
export interface RouteThrottle {
  readonly rateLimit: number
  readonly burstLimit: number
}

export interface MockRoute {
  /**
   * The route response's body, an integration response template; none for a one-way route. Only
   * `$context` variables of a WebSocket request may appear (the local gateway refuses others).
   */
  readonly response?: string
  readonly throttle: RouteThrottle
}

/** Every route without a throttle of its own (the stage's default route settings). */
export const STAGE_THROTTLE: RouteThrottle = { rateLimit: 1000, burstLimit: 2000 }

export const MOCK_ROUTES = {
  // The seed's `ping` → `pong`. Clients check liveness with it only on a wake or network change,
  // so its budget stays small; a flood takes only the ping route's budget (no other route's), and
  // Herald's client takes API Gateway's throttling answer as proof of life as well as a pong.
  ping: {
    response: '{"id":"$context.requestId","type":"pong","data":{},"timestamp":"$context.requestTime"}',
    throttle: { rateLimit: 500, burstLimit: 1000 },
  },
  // One per 8.5 silent minutes per socket: 5,000/s carries 2.5 million idle connections.
  keepalive: { throttle: { rateLimit: 5000, burstLimit: 10_000 } },
} as const satisfies Record<string, MockRoute>

export type MockRouteKey = keyof typeof MOCK_ROUTES

/**
 * The stage's access log line: one per handshake, message and disconnect, every keepalive
 * included, so its bytes are billed billions of times a month at scale (CloudWatch Logs stamps each
 * line with its own time, so it carries none). The query string carries the token, so the log
 * never includes it.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  connectionId: '$context.connectionId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  userId: '$context.authorizer.principalId',
  sourceIp: '$context.identity.sourceIp',
  error: '$context.error.message',
  integrationError: '$context.integration.error',
} as const
