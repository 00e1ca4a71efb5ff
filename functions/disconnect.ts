import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'
import { stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import type { ConnectionStore } from '../shared/store/connection-store.js'
import { ok, type WebSocketEvent } from './websocket-event.js'

/** `$disconnect` (best effort on AWS: a fan-out's 410 cleans up whatever it misses). */
export function createDisconnectHandler(deps: { connections: ConnectionStore }) {
  return async (event: WebSocketEvent) => {
    await deps.connections.remove(event.requestContext.connectionId)
    return ok
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  return createDisconnectHandler({ connections: stores(env, aws).connections })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
