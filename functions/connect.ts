import { DEFAULTS } from '../shared/defaults.js'
import { inboxPreferencesOf } from '../shared/protocol/preference-rules.js'
import { STREAM_TOPICS, streamFromQuery } from '../shared/protocol/topics.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { abuseLimits, type Env, welcomeFunctionName } from '../shared/runtime/config.js'
import { stores } from '../shared/runtime/dynamodb.js'
import { invokeAsync } from '../shared/runtime/lambda.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger } from '../shared/runtime/observability.js'
import type { WelcomeRequest } from '../shared/session/welcome.js'
import type { ConnectionStore } from '../shared/store/connection-store.js'
import type { UserStore } from '../shared/store/user-store.js'
import { ok, sessionContextOf, type WebSocketEvent } from './websocket-event.js'

export interface ConnectDeps {
  connections: ConnectionStore
  /** Counts the user's connections and reads their preferences and address, in one Query. */
  users: Pick<UserStore, 'userRecord' | 'rememberEmail'>
  /** Starts the welcome function asynchronously: it can only post once this handler has returned. */
  welcome: (request: WelcomeRequest) => Promise<void>
  /** Live connections a user may hold; the next handshake is refused with 429. @default 20 */
  maxConnectionsPerUser?: number
}

/** `$connect`: registers the connection on its stream's topics; `?stream=logs` is the log stream. */
export function createConnectHandler(deps: ConnectDeps) {
  return async (event: WebSocketEvent) => {
    const { connectionId, userId, tenant, groups, email } = sessionContextOf(event)
    const user = await deps.users.userRecord({ userId, tenant })
    if (user.connections >= (deps.maxConnectionsPerUser ?? DEFAULTS.connectionsPerUser)) {
      logger.warn('connection refused: too many connections for one user', { userId, tenant })
      return { statusCode: 429 }
    }
    // Written only when it changed: a connect otherwise writes nothing more than before. Before the
    // connection, so a handshake this write fails leaves nothing stored.
    if (email !== undefined && email !== user.email) await deps.users.rememberEmail({ userId, tenant }, email)
    const stream = streamFromQuery(event.queryStringParameters?.stream)
    const connection = await deps.connections.add({
      connectionId,
      userId,
      tenant,
      groups,
      topics: [...STREAM_TOPICS[stream]],
      // On the index items, so the fan-out applies them to what it reads anyway.
      preferences: inboxPreferencesOf(user.preferences),
    })
    const { topics, filters } = connection
    await deps.welcome({
      connectionId,
      userId,
      tenant,
      groups: connection.groups,
      topics,
      filters,
      ...(user.preferences === undefined ? {} : { preferences: user.preferences }),
    })
    return ok
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const { connections, users } = stores(env, aws)
  return createConnectHandler({
    connections,
    users,
    welcome: invokeAsync(aws, welcomeFunctionName(env)),
    maxConnectionsPerUser: abuseLimits(env).connectionsPerUser,
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
