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
}

/**
 * Posts to a connection API Gateway may still be opening. It answers 410 until `$connect` has
 * returned and the socket is open, so a 410 here first means "not yet": it is retried until the
 * deadline, after which the client is taken to have left. Returns whether the post was delivered.
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
    async () => {
      try {
        await options.budget?.take()
        await poster.post(connectionId, payload)
        return { done: true, value: true }
      } catch (error) {
        // Refused outright: retrying cannot help.
        return classifyDeliveryError(error).kind === 'reject' ? { done: true, value: false } : { done: false }
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
