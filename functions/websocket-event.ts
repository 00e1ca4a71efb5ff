import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
} from 'aws-lambda'
import { ConfigError } from '../shared/errors.js'
import type { SessionContext } from '../shared/session/client-session.js'

/** What our authorizer puts in `requestContext.authorizer`; API Gateway may hand the values back as strings. */
export interface HeraldAuthorizerContext {
  principalId?: string
  userId?: string
  canReadLogs?: string | boolean
}

/**
 * A WebSocket route event with the authorizer's context, which `@types/aws-lambda`'s v2 type lacks.
 * `$connect` events also carry the handshake's headers.
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & { authorizer?: HeraldAuthorizerContext }
> & { headers?: Record<string, string | undefined> }

/** The caller as the authorizer established it at `$connect`; never read from the message body. */
export function sessionContextOf(event: WebSocketEvent): SessionContext {
  const authorizer = event.requestContext.authorizer ?? {}
  const userId = authorizer.userId ?? authorizer.principalId
  if (!userId)
    throw new ConfigError(
      'route invoked without an authorizer context: is the authorizer attached to $connect?',
    )
  return {
    connectionId: event.requestContext.connectionId,
    userId,
    canReadLogs: String(authorizer.canReadLogs) === 'true',
  }
}

export const ok = { statusCode: 200 } as const
