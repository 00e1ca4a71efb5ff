import { realClock, withBackoff } from '../backoff.js'
import { type ConnectionPoster, classifyDeliveryError } from '../fan-out/connection-poster.js'
import type { UnreadCount } from '../protocol/frames.js'
import type { Connection } from '../store/connection-store.js'
import { welcomeFrame } from './client-session.js'

/** What `$connect` hands to the welcome function, which runs once `$connect` has returned. */
export type WelcomeRequest = Pick<
  Connection,
  'connectionId' | 'userId' | 'tenant' | 'groups' | 'topics' | 'filters'
>

export interface WelcomeOptions {
  /** How long to keep trying while API Gateway still answers 410 for a connection being opened. @default 5000 */
  deadlineMs?: number
  /** The first pause between tries; it doubles up to 200 ms. @default 10 */
  intervalMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/**
 * Sends `connection_established`. API Gateway refuses posts (410) until `$connect` has returned
 * and the socket is open, so a 410 here first means "not yet": it is retried until the deadline,
 * after which the client is taken to have left. Returns whether the frame was delivered.
 */
export async function sendWelcome(
  poster: ConnectionPoster,
  request: WelcomeRequest,
  options: WelcomeOptions = {},
  unread?: UnreadCount,
): Promise<boolean> {
  const now = options.now ?? Date.now
  const payload = JSON.stringify(welcomeFrame(request, unread))
  // The socket usually opens within milliseconds of `$connect` returning: try again soon, then less often.
  const delivered = await withBackoff(
    async () => {
      try {
        await poster.post(request.connectionId, payload)
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
      deadline: now() + (options.deadlineMs ?? 5_000),
      clock: { ...realClock, now, sleep: options.sleep ?? realClock.sleep },
    },
  )
  return delivered?.value ?? false
}
