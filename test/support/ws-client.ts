import WebSocket from 'ws'
import type { Envelope } from '../../shared/protocol/frames.js'

/** The outcome of a refused handshake. */
export interface Refusal {
  status: number
}

/**
 * A real WebSocket client for tests: frames are queued as they arrive, and `next()` waits for the
 * next one (of a type) so tests read as the conversation they check.
 */
export class TestClient {
  readonly frames: Envelope[] = []
  readonly socket: WebSocket
  closed: { code: number; reason: string } | undefined
  #cursor = 0
  #waiters: (() => void)[] = []

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Envelope)
      this.#wake()
    })
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
      this.#wake()
    })
  }

  /** Opens a socket, or resolves with the HTTP status that refused it. */
  static open(url: string): Promise<TestClient | Refusal> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const client = new TestClient(socket)
      socket.once('open', () => resolve(client))
      socket.once('unexpected-response', (_, response) => {
        resolve({ status: response.statusCode ?? 0 })
        socket.terminate()
      })
      socket.once('error', reject)
    })
  }

  /** Opens a socket that must be accepted and waits for its `connection_established`. */
  static async connect(url: string): Promise<TestClient> {
    const client = await TestClient.open(url)
    if (!(client instanceof TestClient)) throw new Error(`connection refused with ${client.status}`)
    await client.next('connection_established')
    return client
  }

  /** The connection id API Gateway gave this socket, from its `connection_established` frame. */
  get connectionId(): string {
    const welcome = this.frames.find((frame) => frame.type === 'connection_established')
    if (!welcome) throw new Error('no connection_established received yet')
    return (welcome.data as { connectionId: string }).connectionId
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** The next frame not read yet (of `type`, skipping others), or a timeout error. */
  async next(type?: string, timeoutMs = 5_000): Promise<Envelope> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++] as Envelope
        if (!type || frame.type === type) return frame
      }
      if (this.closed)
        throw new Error(`socket closed (${this.closed.code}) while waiting for ${type ?? 'a frame'}`)
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(
          `no ${type ?? 'frame'} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
        )
      await this.#woken(deadline)
    }
  }

  /** Frames of `type` received so far. */
  received(type: string): Envelope[] {
    return this.frames.filter((frame) => frame.type === type)
  }

  /** Resolves when the socket has closed, with its close code. */
  async waitClosed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close')
      await this.#woken(deadline)
    }
    return this.closed
  }

  /**
   * Resolves once every frame the gateway sent this socket before now has arrived: a ping's pong
   * comes back behind them on the same TCP stream. Use it after `stack.idle()`, which sees the
   * fan-outs end but not their frames land. The pong is taken out of `frames`.
   */
  async caughtUp(timeoutMs = 5_000): Promise<void> {
    const before = this.frames.length
    this.send({ type: 'ping' })
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const pong = this.frames.findIndex((frame, i) => i >= before && frame.type === 'pong')
      if (pong >= 0) {
        this.frames.splice(pong, 1)
        if (this.#cursor > pong) this.#cursor--
        return
      }
      if (this.closed || Date.now() > deadline) throw new Error('no pong: the socket is not caught up')
      await this.#woken(deadline)
    }
  }

  close(): void {
    this.socket.close()
  }

  /** Waits for the next frame or close, or until `deadline`. */
  #woken(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadline - Date.now())
      this.#waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake()
  }
}
