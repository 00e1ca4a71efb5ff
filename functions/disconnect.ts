import { stores } from '../shared/runtime/clients.js'
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

export const handler = lazyHandler(() =>
  createDisconnectHandler({ connections: stores(process.env).connections }),
)
