import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
} from 'aws-lambda'
import type { Identity } from '../shared/auth/token-verifier.js'
import { ConfigError } from '../shared/errors.js'
import type { SessionContext } from '../shared/session/client-session.js'

/**
 * What our authorizer puts in `requestContext.authorizer`. API Gateway takes only strings, numbers
 * and booleans there (anything else fails the handshake with 500) and may hand them back as
 * strings, so the groups travel as a JSON array in a string.
 */
export type HeraldAuthorizerContext = {
  principalId?: string
  userId?: string
  canReadLogs?: string | boolean
  tenant?: string
  groups?: string
  email?: string
}

export function authorizerContextOf(identity: Identity): HeraldAuthorizerContext {
  return {
    userId: identity.userId,
    canReadLogs: String(identity.canReadLogs),
    ...(identity.tenant === undefined ? {} : { tenant: identity.tenant }),
    groups: JSON.stringify(identity.groups),
    ...(identity.email === undefined ? {} : { email: identity.email }),
  }
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
    ...(authorizer.tenant ? { tenant: authorizer.tenant } : {}),
    groups: authorizer.groups ? (JSON.parse(authorizer.groups) as string[]) : [],
    ...(authorizer.email ? { email: authorizer.email } : {}),
  }
}

export const ok = { statusCode: 200 } as const
