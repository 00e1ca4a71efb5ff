import type { Timers } from './heartbeat.js'

// A browser fires a longer setTimeout at once (its delay overflows 32 bits); a snooze may be 30 days.
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * One timer for the earliest of a set of times (when the next snooze ends, when the next
 * notification expires): its owner sets it again whenever the earliest changes, so nothing polls.
 */
export class Deadline {
  readonly #timers: Timers
  readonly #now: () => number
  readonly #onDue: () => void
  #handle: unknown
  #at: number | undefined

  constructor(timers: Timers, now: () => number, onDue: () => void) {
    this.#timers = timers
    this.#now = now
    this.#onDue = onDue
  }

  /** Calls `onDue` once at `at` (ms since the epoch), or at no time when undefined. */
  set(at: number | undefined): void {
    if (at === this.#at) return
    this.#timers.clearTimeout(this.#handle)
    this.#at = at
    if (at !== undefined) this.#arm(at)
  }

  #arm(at: number): void {
    const delay = at - this.#now()
    this.#handle = this.#timers.setTimeout(
      () => {
        if (delay > MAX_TIMEOUT_MS) return this.#arm(at)
        this.#at = undefined
        this.#onDue()
      },
      Math.min(Math.max(0, delay), MAX_TIMEOUT_MS),
    )
  }
}

/** The earliest of `times`, or undefined when there are none. */
export function earliest(times: Iterable<number>): number | undefined {
  let first: number | undefined
  for (const time of times) if (first === undefined || time < first) first = time
  return first
}
