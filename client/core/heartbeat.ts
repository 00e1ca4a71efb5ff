export interface Timers {
  setTimeout: (callback: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** API Gateway's 10-minute idle timeout, less a minute a hidden tab's timers may lag, and a half. */
export const DEFAULT_HEARTBEAT_MS = 510_000

export interface HeartbeatOptions {
  /**
   * The longest the client stays silent: API Gateway closes a connection after 10 minutes without
   * a client frame, and a hidden tab's timers may fire up to a minute late. @default 510000
   */
  intervalMs: number
  /** How long to wait for any frame after a ping before declaring the socket dead. @default 10000 */
  timeoutMs: number
  /** Sends the one-way `keepalive` frame, which API Gateway takes without answering. */
  keepalive: () => void
  /** Sends `ping`, which API Gateway answers with `pong`. */
  ping: () => void
  /** The socket stopped answering. */
  onDead: () => void
  timers?: Timers
  now?: () => number
}

/**
 * Keeps an idle connection open at the least cost, and notices when it died.
 *
 * Only a client frame resets API Gateway's idle timeout, and each one is a billed message, so the
 * client sends one `keepalive` after `intervalMs` of silence and nothing else. Liveness is checked
 * (`check()`: a `ping`, then any frame within `timeoutMs`) where sockets die: after the machine
 * slept (the keepalive timer fired far too late), and when the service asks on a network or
 * visibility change. An always-on socket that dies quietly errors on its next keepalive, when TCP
 * gives up retransmitting it.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions
  readonly #timers: Timers
  readonly #now: () => number
  #silence: unknown
  #deadline: unknown

  constructor(options: HeartbeatOptions) {
    this.#options = options
    this.#timers = options.timers ?? browserTimers
    this.#now = options.now ?? Date.now
  }

  start(): void {
    this.sent()
  }

  /** The client sent a frame: API Gateway's idle timeout starts again, and so does the silence. */
  sent(): void {
    if (this.#silence !== undefined) this.#timers.clearTimeout(this.#silence)
    const due = this.#now() + this.#options.intervalMs
    this.#silence = this.#timers.setTimeout(() => {
      this.#silence = undefined
      // A timer this late means the machine slept: the socket probably died with its network.
      if (this.#now() - due > SLEPT_MS) this.check()
      else {
        this.#options.keepalive()
        this.sent()
      }
    }, this.#options.intervalMs)
  }

  /** A frame arrived: the socket is alive. */
  alive(): void {
    if (this.#deadline !== undefined) this.#timers.clearTimeout(this.#deadline)
    this.#deadline = undefined
  }

  /** Asks the socket to prove it is alive; declares it dead when nothing comes back in time. */
  check(): void {
    if (this.#deadline !== undefined) return
    this.#options.ping()
    this.sent()
    this.#deadline = this.#timers.setTimeout(() => {
      this.#deadline = undefined
      this.#options.onDead()
    }, this.#options.timeoutMs)
  }

  stop(): void {
    for (const timer of [this.#silence, this.#deadline])
      if (timer !== undefined) this.#timers.clearTimeout(timer)
    this.#silence = undefined
    this.#deadline = undefined
  }
}

/**
 * Calls `check` when a socket may have died though no timer says so: the network came back, or a
 * hidden tab was shown again. Returns its removal.
 */
export type WakeSignals = (check: () => void) => () => void

export const browserWakeSignals: WakeSignals = (check) => {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => {}
  const shown = (): void => {
    if (document.visibilityState === 'visible') check()
  }
  window.addEventListener('online', check)
  document.addEventListener('visibilitychange', shown)
  return () => {
    window.removeEventListener('online', check)
    document.removeEventListener('visibilitychange', shown)
  }
}

/** More than a throttled background tab's minute of lateness, with room to spare. */
const SLEPT_MS = 120_000
