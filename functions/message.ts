import type { ConnectionPoster } from '../shared/fan-out/connection-poster.js'
import { deliver } from '../shared/fan-out/post-to-recipients.js'
import { STREAM_TOPICS } from '../shared/protocol/topics.js'
import { PushStore } from '../shared/push/push-store.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import {
  abuseLimits,
  type Env,
  managementEndpoint,
  pushPolicy,
  sessionConfig,
  storeConfig,
} from '../shared/runtime/config.js'
import { documentClientOf, inboxOf, stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { posterOf } from '../shared/runtime/poster.js'
import { type Answer, answerClientFrame, type SessionDeps } from '../shared/session/client-session.js'
import { MessageRateLimit } from '../shared/session/rate-limit.js'
import { ok, sessionContextOf, type WebSocketEvent } from './websocket-event.js'

export interface MessageDeps extends SessionDeps {
  poster: ConnectionPoster
}

/**
 * `$default`: every client frame lands here; the answers go back through the Management API, in
 * order. An inbox change goes to every live notification connection of the user (every tab and
 * device); one that is gone is skipped, as `$disconnect` or the TTL removes it.
 */
export function createMessageHandler(deps: MessageDeps) {
  return async (event: WebSocketEvent) => {
    const context = sessionContextOf(event)
    // Only text reaches a route: API Gateway closes a binary frame's connection with 1003 itself.
    const answer: Answer = await answerClientFrame(deps, context, event.body ?? '')
    for (const frame of answer.frames) await deps.poster.post(context.connectionId, JSON.stringify(frame))
    if (answer.toUser) {
      const { recipients } = await deps.connections.recipientsOfUserOn(
        context.userId,
        STREAM_TOPICS.notifications,
        { tenant: context.tenant },
      )
      for (const frame of answer.toUser) await deliver(deps.poster, recipients, JSON.stringify(frame))
    }
    if (answer.close) await deps.poster.close(context.connectionId)
    return ok
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const { connections, history, users } = stores(env, aws)
  const policy = pushPolicy(env)
  return createMessageHandler({
    connections,
    history,
    preferences: users,
    push: policy && {
      policy,
      subscriptions: new PushStore({
        client: documentClientOf(aws),
        tableName: storeConfig(env).connectionsTable,
      }),
    },
    inbox: inboxOf(env, aws, history),
    limits: sessionConfig(env),
    poster: posterOf(aws, managementEndpoint(env), 4),
    rateLimit: new MessageRateLimit({
      client: documentClientOf(aws),
      tableName: storeConfig(env).connectionsTable,
      rate: abuseLimits(env).messagesPerSecond,
      burst: abuseLimits(env).messageBurst,
    }),
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
