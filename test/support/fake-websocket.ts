import type { WebSocketLike } from '../../client/websocket-service.js'
import { newId } from '../../shared/protocol/ids.js'

/**
 * A scripted browser WebSocket for unit tests of reconnect and resync logic, where timing must be
 * controlled exactly; the real transport is covered against the local stack and in Chromium.
 */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = []
  readyState = 0
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  readonly sent: Record<string, unknown>[] = []
  closedWith: { code?: number; reason?: string } | undefined

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  static reset(): void {
    FakeWebSocket.instances = []
  }

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1)
    if (!socket) throw new Error('no socket was opened')
    return socket
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    this.readyState = 3
  }

  /** The server accepts the socket and sends `connection_established`. */
  accept(data: { topics?: string[]; userId?: string } = {}): void {
    this.readyState = 1
    this.onopen?.({})
    this.receive('connection_established', {
      connectionId: 'c',
      userId: data.userId ?? 'alice',
      topics: data.topics ?? ['alerts', 'system', 'uploads'],
      filters: {},
    })
  }

  receive(type: string, data: Record<string, unknown>, id: string = newId()): string {
    return this.#push({ id, type, data })
  }

  /** A notification the server re-sends in answer to `resume`. */
  replay(type: string, data: Record<string, unknown>, id: string = newId()): string {
    return this.#push({ id, type, data, replayed: true })
  }

  #push(frame: { id: string; type: string; data: Record<string, unknown>; replayed?: boolean }): string {
    this.onmessage?.({ data: JSON.stringify({ ...frame, timestamp: new Date().toISOString() }) })
    return frame.id
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data })
  }

  /** The connection drops (network loss, server restart). */
  drop(code = 1006): void {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }

  types(): unknown[] {
    return this.sent.map((message) => message.type)
  }
}
