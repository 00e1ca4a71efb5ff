export interface Timers {
  setTimeout: (callback: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export interface HeartbeatOptions {
  /** Quiet time before a ping; well under API Gateway's 10-minute idle timeout. @default 240000 */
  intervalMs: number
  /** How long to wait for any frame after a ping before declaring the socket dead. @default 10000 */
  timeoutMs: number
  ping: () => void
  /** The socket stopped answering. */
  onDead: () => void
  timers?: Timers
}

/**
 * Pings after `intervalMs` without traffic and declares the connection dead when nothing comes
 * back in `timeoutMs`. Any received frame counts as life (`alive()`), so a busy socket never pings.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions
  readonly #timers: Timers
  #timer: unknown

  constructor(options: HeartbeatOptions) {
    this.#options = options
    this.#timers = options.timers ?? browserTimers
  }

  start(): void {
    this.alive()
  }

  /** A frame arrived: the connection is alive; wait a full interval again. */
  alive(): void {
    this.stop()
    this.#timer = this.#timers.setTimeout(() => {
      this.#options.ping()
      this.#timer = this.#timers.setTimeout(() => this.#options.onDead(), this.#options.timeoutMs)
    }, this.#options.intervalMs)
  }

  stop(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
