import type { WebSocketLike } from '../../client/websocket-types.js'
import { idFrom } from '../../shared/protocol/ids.js'

// The fake server stamps ids from its own clock, a second a frame, so ids sort in the order a test
// sends frames whatever fake timers do to Date, and replays fit between the frames sent before the
// welcome and the welcome itself, as history does.
const FRAME_MS = 1000
let clock = Date.now()
const idAt = (ms: number) => idFrom(ms, crypto.getRandomValues(new Uint8Array(10)))

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
  #welcomeMs = 0
  #replays = 0

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  static reset(): void {
    FakeWebSocket.instances = []
  }

  /** An id newer than every frame sent so far. */
  static nextId(): string {
    clock += FRAME_MS
    return idAt(clock)
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
    const welcomeId = FakeWebSocket.nextId()
    this.#welcomeMs = clock
    this.receive(
      'connection_established',
      {
        connectionId: 'c',
        userId: data.userId ?? 'alice',
        topics: data.topics ?? ['alerts', 'system', 'uploads'],
        filters: {},
      },
      welcomeId,
    )
  }

  receive(type: string, data: Record<string, unknown>, id: string = FakeWebSocket.nextId()): string {
    return this.#push({ id, type, data })
  }

  /**
   * A notification the server re-sends in answer to `resume`: from history, so published after
   * the frames sent before the welcome and before the welcome itself, unless `id` says otherwise.
   */
  replay(
    type: string,
    data: Record<string, unknown>,
    id: string = idAt(this.#welcomeMs - FRAME_MS + ++this.#replays),
  ): string {
    return this.#push({ id, type, data, replayed: true })
  }

  /** A frame with envelope fields the helpers above do not set (thread, snoozed, expiresAt, replayed). */
  receiveFrame(frame: { type: string; data: unknown; id?: string; [field: string]: unknown }): string {
    return this.#push({ ...frame, id: frame.id ?? FakeWebSocket.nextId() })
  }

  #push(frame: { id: string; type: string; data: unknown; [field: string]: unknown }): string {
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
