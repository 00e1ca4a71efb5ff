import type { ConnectionPoster } from '../shared/fan-out/connection-poster.js'
import { makeFrame } from '../shared/protocol/frames.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, managementEndpoint, sessionConfig } from '../shared/runtime/config.js'
import { stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { posterOf } from '../shared/runtime/poster.js'
import { answerClientFrame, type SessionDeps } from '../shared/session/client-session.js'
import { ok, sessionContextOf, type WebSocketEvent } from './websocket-event.js'

export interface MessageDeps extends SessionDeps {
  poster: ConnectionPoster
}

/** `$default`: every client frame lands here; the answers go back through the Management API, in order. */
export function createMessageHandler(deps: MessageDeps) {
  return async (event: WebSocketEvent) => {
    const context = sessionContextOf(event)
    const frames = event.isBase64Encoded
      ? [
          makeFrame('error', {
            code: 'invalid_message',
            message: 'binary frames are not supported; send JSON text',
          }),
        ]
      : await answerClientFrame(deps, context, event.body ?? '')
    for (const frame of frames) await deps.poster.post(context.connectionId, JSON.stringify(frame))
    return ok
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  return createMessageHandler({
    ...stores(env, aws),
    limits: sessionConfig(env),
    poster: posterOf(aws, managementEndpoint(env), 4),
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
