import type { WebSocketService } from '../websocket-service.js'

interface Entry {
  service: WebSocketService
  users: number
  closing?: ReturnType<typeof setTimeout>
}

const sockets = new Map<string, Entry>()

/**
 * One socket per key (URL, stream, token) however many components use it. The last release
 * closes it a tick later, so a remount (React StrictMode, a route change) reuses the socket.
 */
export function acquireSocket(
  key: string,
  create: () => WebSocketService,
): { service: WebSocketService; release: () => void } {
  let entry = sockets.get(key)
  if (!entry) {
    entry = { service: create(), users: 0 }
    sockets.set(key, entry)
  }
  clearTimeout(entry.closing)
  entry.users++
  const held = entry
  return {
    service: held.service,
    release: () => {
      held.users--
      if (held.users > 0) return
      held.closing = setTimeout(() => {
        if (held.users > 0) return
        held.service.disconnect()
        sockets.delete(key)
      }, 0)
    },
  }
}
