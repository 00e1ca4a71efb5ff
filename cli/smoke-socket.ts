import WebSocket from 'ws'
import { HeraldError } from '../shared/errors.js'

interface Frame {
  id: string
  type: string
  data: Record<string, unknown>
}

/** A browser's socket, reduced to what the smoke test asks: was it welcomed, did a frame arrive. */
export class SmokeSocket {
  readonly #frames: Frame[] = []
  #wake: (() => void) | undefined

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.#frames.push(JSON.parse(data.toString()) as Frame)
      this.#wake?.()
    })
  }

  /** Connects and waits for `connection_established`; a refused handshake says its status. */
  static async open(url: string, timeoutMs: number): Promise<SmokeSocket> {
    const socket = new WebSocket(url)
    const smoke = new SmokeSocket(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('unexpected-response', (_, response) =>
        reject(new Error(`handshake refused: HTTP ${response.statusCode}`)),
      )
      socket.once('error', reject)
    })
    await smoke.waitFor((frame) => frame.type === 'connection_established', timeoutMs)
    return smoke
  }

  /** Resolves when a frame matching `test` has arrived (or had already), else fails after `timeoutMs`. */
  async waitFor(test: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.#frames.find(test)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new HeraldError('timeout', `nothing arrived within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  close(): void {
    this.socket.close()
  }
}
