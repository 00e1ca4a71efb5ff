import type { ConnectionPoster } from '../shared/fan-out/connection-poster.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import {
  abuseLimits,
  type Env,
  managementEndpoint,
  sessionConfig,
  storeConfig,
} from '../shared/runtime/config.js'
import { documentClientOf, stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { posterOf } from '../shared/runtime/poster.js'
import { type Answer, answerClientFrame, type SessionDeps } from '../shared/session/client-session.js'
import { MessageRateLimit } from '../shared/session/rate-limit.js'
import { ok, sessionContextOf, type WebSocketEvent } from './websocket-event.js'

export interface MessageDeps extends SessionDeps {
  poster: ConnectionPoster
}

/** `$default`: every client frame lands here; the answers go back through the Management API, in order. */
export function createMessageHandler(deps: MessageDeps) {
  return async (event: WebSocketEvent) => {
    const context = sessionContextOf(event)
    // Only text reaches a route: API Gateway closes a binary frame's connection with 1003 itself.
    const answer: Answer = await answerClientFrame(deps, context, event.body ?? '')
    for (const frame of answer.frames) await deps.poster.post(context.connectionId, JSON.stringify(frame))
    if (answer.close) await deps.poster.close(context.connectionId)
    return ok
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  return createMessageHandler({
    ...stores(env, aws),
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
