import { type RefObject, useEffect, useRef, useState } from 'react'
import type { ServerFrame } from '../../shared/protocol/frames.js'
import type { Stream } from '../../shared/protocol/topics.js'
import { ConnectionState } from '../core/connection-state.js'
import type { InboxState } from '../core/inbox-state.js'
import { WebSocketService } from '../websocket-service.js'
import type { FrameSource } from '../websocket-types.js'
import { defaultHeraldUrl, useHeraldConfig } from './herald-provider.js'
import { acquireSocket } from './shared-socket.js'

export interface HeraldSocket {
  state: ConnectionState
  /** The shared service while the component is mounted; a ref, so reading it never re-renders. */
  service: RefObject<WebSocketService | undefined>
}

/**
 * Attaches a component to the shared socket of a stream. The hook only orchestrates: the latest
 * callback and token getter live in refs, so re-renders never reconnect.
 */
export function useHeraldSocket(
  stream: Stream,
  onFrame: (frame: ServerFrame, source: FrameSource) => void,
  options: { loadRecent?: boolean; onInboxChange?: (inbox: InboxState) => void } = {},
): HeraldSocket {
  const config = useHeraldConfig()
  const { onInboxChange } = options
  const latest = useRef({ onFrame, onInboxChange, getToken: config.getToken })
  latest.current = { onFrame, onInboxChange, getToken: config.getToken }
  const service = useRef<WebSocketService | undefined>(undefined)
  const [state, setState] = useState<ConnectionState>(ConnectionState.Idle)
  const url = config.url ?? defaultHeraldUrl()
  const hasGetToken = config.getToken !== undefined
  const key = `${url}|${stream}|${config.token ?? ''}|${hasGetToken}`

  // biome-ignore lint/correctness/useExhaustiveDependencies: the key holds everything that identifies the socket; the rest is read through refs
  useEffect(() => {
    const held = acquireSocket(
      key,
      () =>
        new WebSocketService({
          url,
          stream,
          token: config.token,
          getToken: hasGetToken
            ? () => (latest.current.getToken as () => string | Promise<string>)()
            : undefined,
          reconnectDelay: config.reconnectDelay,
          maxReconnectAttempts: config.maxReconnectAttempts,
          WebSocket: config.WebSocket,
          loadRecent: options.loadRecent,
        }),
    )
    service.current = held.service
    const remove = held.service.addListener({
      onMessage: (frame, source) => latest.current.onFrame(frame, source),
      onStateChange: setState,
      onInboxChange: (inbox) => latest.current.onInboxChange?.(inbox),
    })
    setState(held.service.state)
    // A socket another component opened already holds the inbox.
    latest.current.onInboxChange?.(held.service.inbox)
    held.service.connect()
    return () => {
      remove()
      held.release()
      service.current = undefined
    }
  }, [key])

  return { state, service }
}
