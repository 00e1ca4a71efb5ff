import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda'
import type { HeraldAuthorizerContext, WebSocketEvent } from '../functions/websocket-event.js'

// Event shapes API Gateway's WebSocket API sends its integrations (types from @types/aws-lambda).

export interface GatewayIdentity {
  apiId: string
  stage: string
  domainName: string
}

/** An id shaped like API Gateway's: 16 base64 characters, so `/`, `+` and `=` exercise URL encoding. */
export function newConnectionId(): string {
  return randomBytes(11).toString('base64')
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(',') : value
  }
  return flat
}

export function authorizerEvent(
  gateway: GatewayIdentity,
  connectionId: string,
  query: Record<string, string>,
  headers: Record<string, string>,
): APIGatewayRequestAuthorizerEvent {
  const methodArn = `arn:aws:execute-api:us-east-1:000000000000:${gateway.apiId}/${gateway.stage}/$connect`
  return {
    type: 'REQUEST',
    methodArn,
    resource: '$connect',
    path: '/',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: null,
    pathParameters: null,
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      ...(routeContext(gateway, connectionId, '$connect', Date.now()) as object),
    } as APIGatewayRequestAuthorizerEvent['requestContext'],
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `$context.requestTime` as API Gateway writes it: Common Log Format, UTC (`06/Dec/2026:03:57:43 +0000`). */
export function requestTimeOf(epochMs: number): string {
  const at = new Date(epochMs)
  const two = (n: number) => String(n).padStart(2, '0')
  const day = `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}`
  return `${day}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`
}

function routeContext(gateway: GatewayIdentity, connectionId: string, routeKey: string, connectedAt: number) {
  const now = Date.now()
  return {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
    messageId: routeKey.startsWith('$') && routeKey !== '$default' ? undefined : randomUUID(),
    extendedRequestId: randomUUID(),
    requestTime: requestTimeOf(now),
    messageDirection: 'IN',
    stage: gateway.stage,
    connectedAt,
    requestTimeEpoch: now,
    requestId: randomUUID(),
    domainName: gateway.domainName,
    connectionId,
    apiId: gateway.apiId,
  } as const
}

export function routeEvent(
  gateway: GatewayIdentity,
  connection: { connectionId: string; connectedAt: number; authorizer: HeraldAuthorizerContext },
  routeKey: string,
  extra: Partial<WebSocketEvent> & Record<string, unknown> = {},
): WebSocketEvent {
  return {
    requestContext: {
      ...routeContext(gateway, connection.connectionId, routeKey, connection.connectedAt),
      authorizer: connection.authorizer,
    } as WebSocketEvent['requestContext'],
    isBase64Encoded: false,
    ...extra,
  }
}

/**
 * The authorizer's context as API Gateway passes it on: top-level strings, numbers and booleans
 * only, each handed to the routes as a string. Anything else (an array, an object) is an
 * AuthorizerConfigurationException, which fails the handshake with 500: undefined here.
 */
export function forwardedContext(result: APIGatewayAuthorizerResult): HeraldAuthorizerContext | undefined {
  const context: Record<string, string> = {}
  for (const [key, value] of Object.entries(result.context ?? {})) {
    if (value === null || value === undefined) continue
    if (!['string', 'number', 'boolean'].includes(typeof value)) return undefined
    context[key] = String(value)
  }
  return context
}

/** `$request.body.type`: a route of that name if there is one, else `$default`. */
export function selectRoute(routes: Record<string, unknown>, body: string): string {
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type
    if (typeof type === 'string' && !type.startsWith('$') && Object.hasOwn(routes, type)) return type
  } catch {
    // Not JSON: API Gateway cannot evaluate the expression and falls back to $default.
  }
  return '$default'
}
