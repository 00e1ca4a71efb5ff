import { vi } from 'vitest'
import type { ConnectionState } from '../../client/core/connection-state.js'
import type { InboxState } from '../../client/core/inbox-state.js'
import { WebSocketService } from '../../client/websocket-service.js'
import type { FrameSource, WebSocketServiceOptions } from '../../client/websocket-types.js'
import type { Envelope } from '../../shared/protocol/frames.js'
import { FakeWebSocket } from './fake-websocket.js'

/** A WebSocketService on the fake socket, recording the frames, states and inboxes it hands on. */
export function fakeService(options: Partial<WebSocketServiceOptions> = {}): {
  herald: WebSocketService
  frames: { frame: Envelope; source: FrameSource }[]
  states: ConnectionState[]
  inboxes: InboxState[]
} {
  const frames: { frame: Envelope; source: FrameSource }[] = []
  const states: ConnectionState[] = []
  const inboxes: InboxState[] = []
  const herald = new WebSocketService({
    url: 'ws://herald.test',
    token: 't0',
    WebSocket: FakeWebSocket,
    random: () => 0.5,
    onMessage: (frame, source) => frames.push({ frame, source }),
    onStateChange: (state) => states.push(state),
    ...options,
  })
  herald.addListener({ onInboxChange: (inbox) => inboxes.push(inbox) })
  return { herald, frames, states, inboxes }
}

/** Opens the service's socket and answers with the gateway's welcome, under fake timers. */
export async function connected(herald: WebSocketService): Promise<FakeWebSocket> {
  herald.connect()
  await vi.advanceTimersByTimeAsync(0)
  FakeWebSocket.last.accept()
  return FakeWebSocket.last
}
