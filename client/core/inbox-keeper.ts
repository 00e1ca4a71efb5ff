import type { ServerFrame } from '../../shared/protocol/frames.js'
import type { FrameSource } from '../websocket-types.js'
import { Deadline, earliest } from './deadline.js'
import type { Timers } from './heartbeat.js'
import { applyFrame, EMPTY_INBOX, endSnoozes, expire, type InboxState } from './inbox-state.js'

export interface InboxKeeperOptions {
  timers: Timers
  now: () => number
  /** The inbox changed: a frame came, a snooze ended or a notification expired. */
  onChange: (inbox: InboxState) => void
  /** Snoozes ended: the server sends their entries back in answer to a `resume` without `since`. */
  onSnoozeEnded: () => void
}

/**
 * The user's inbox state, kept current between the server's frames: one timer ends the next
 * snooze and one drops the next notification to expire, each set again as the inbox changes.
 */
export class InboxKeeper {
  readonly #options: InboxKeeperOptions
  readonly #snoozes: Deadline
  readonly #expiry: Deadline
  #state: InboxState = EMPTY_INBOX
  /**
   * The server's clock less this one's, from the last welcome's timestamp (a little low, by the
   * welcome's time in transit). The server decides when a snooze is over: asked before, it would
   * not send the entry back.
   */
  #skew = 0

  constructor(options: InboxKeeperOptions) {
    this.#options = options
    const { timers, now } = options
    this.#snoozes = new Deadline(timers, now, () => {
      this.#set(endSnoozes(this.#state, now() + this.#skew))
      options.onSnoozeEnded()
    })
    this.#expiry = new Deadline(timers, now, () => this.#set(expire(this.#state, now())))
  }

  get state(): InboxState {
    return this.#state
  }

  apply(frame: ServerFrame, source: FrameSource): void {
    const now = this.#options.now()
    if (frame.type === 'connection_established') {
      const stamped = Date.parse(frame.timestamp)
      if (!Number.isNaN(stamped)) this.#skew = stamped - now
    }
    this.#set(applyFrame(this.#state, frame, source, now))
  }

  /** Stops both timers until the next frame. */
  stop(): void {
    this.#snoozes.set(undefined)
    this.#expiry.set(undefined)
  }

  #set(next: InboxState): void {
    const changed = next !== this.#state
    this.#state = next
    const snoozeEnds = earliest(next.snoozed.values())
    this.#snoozes.set(snoozeEnds === undefined ? undefined : snoozeEnds - this.#skew)
    this.#expiry.set(earliest([...next.expiring.values()].map((each) => each.at)))
    if (changed) this.#options.onChange(next)
  }
}
