import { type BackoffClock, realClock, withBackoff } from '../backoff.js'
import { type ConnectionPoster, classifyDeliveryError } from './connection-poster.js'
import type { DeliveryBudget } from './delivery-budget.js'

/** How long a connection may take to open after `$connect` stored it, as far as posting waits for it. */
export const OPENING_DEADLINE_MS = 5_000

export interface OpeningOptions {
  /** How long to keep trying while API Gateway still answers 410 for a connection being opened. @default 5000 */
  deadlineMs?: number
  /** The first pause between tries; it doubles up to 200 ms. @default 10 */
  intervalMs?: number
  /** The clock retries run on (the backoff's). @default the real one */
  clock?: BackoffClock
  /** Each try takes from it, as every fan-out post does. */
  budget?: DeliveryBudget
  /**
   * Whether the connection is still stored: `$disconnect` removes it once a socket has left, so a
   * 410 for one no longer stored means gone, not "not yet", and the wait ends there.
   */
  stillStored?: () => Promise<boolean>
}

/**
 * Tries before a 410 is checked against the store: a socket usually opens within these (about 70 ms),
 * so one that opens costs no read, and one that left costs a read a try from then on.
 */
const TRIES_BEFORE_CHECKING = 3

/**
 * Posts to a connection API Gateway may still be opening. It answers 410 until `$connect` has
 * returned and the socket is open, so a 410 here first means "not yet": it is retried until the
 * deadline, after which the client is taken to have left, or until the store says it has left
 * (`stillStored`), which keeps a departed socket from holding a Lambda for the whole deadline
 * (docs/architecture.md, Fan-out). Returns whether the post was delivered.
 */
export async function postOnceOpen(
  poster: ConnectionPoster,
  connectionId: string,
  payload: string,
  options: OpeningOptions = {},
): Promise<boolean> {
  const clock = options.clock ?? realClock
  // The socket usually opens within milliseconds of `$connect` returning: try again soon, then less often.
  const delivered = await withBackoff(
    async (attempt) => {
      try {
        await options.budget?.take()
        await poster.post(connectionId, payload)
        return { done: true, value: true }
      } catch (error) {
        const kind = classifyDeliveryError(error).kind
        // Refused outright: retrying cannot help.
        if (kind === 'reject') return { done: true, value: false }
        const departed =
          kind === 'gone' &&
          attempt + 1 >= TRIES_BEFORE_CHECKING &&
          options.stillStored !== undefined &&
          !(await options.stillStored())
        return departed ? { done: true, value: false } : { done: false }
      }
    },
    {
      baseMs: options.intervalMs ?? 10,
      maxMs: 200,
      jitter: false,
      deadline: clock.now() + (options.deadlineMs ?? OPENING_DEADLINE_MS),
      clock,
    },
  )
  return delivered?.value ?? false
}
