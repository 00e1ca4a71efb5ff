import { type BackoffClock, realClock, withBackoff } from '../backoff.js'
import { DEFAULTS } from '../defaults.js'
import { withDefaults } from '../options.js'
import type { Recipient } from '../store/index-queries.js'
import { type ConnectionPoster, classifyDeliveryError } from './connection-poster.js'
import type { DeliveryBudget } from './delivery-budget.js'
import { runPool } from './pool.js'
import { OPENING_DEADLINE_MS } from './post-once-open.js'

export interface DeliveryOptions {
  /** Posts in flight at once. @default DEFAULTS.deliveryConcurrency */
  concurrency: number
  /** Time after which a throttled or failing post is given up. @default DEFAULTS.deliveryDeadlineMs */
  deadlineMs: number
  /** First retry delay; each retry doubles the ceiling, and the delay is drawn below it (full jitter). @default 50 */
  baseDelayMs: number
  /** Ceiling of a retry delay. @default 2000 */
  maxDelayMs: number
  /** How long a post to a connection still opening (410 before it was ever welcomed) keeps being tried. @default 5000 */
  openingDeadlineMs: number
}

const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  concurrency: DEFAULTS.deliveryConcurrency,
  deadlineMs: DEFAULTS.deliveryDeadlineMs,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
  openingDeadlineMs: OPENING_DEADLINE_MS,
}

export interface DeliveryReport {
  delivered: number
  /** Recipients whose connection no longer exists (410): to be removed from the store. */
  gone: Recipient[]
  /** Recipients the Management API refused outright (403, 413, 400): retrying cannot help. */
  refused: Recipient[]
  /** Recipients still throttled or failing at the deadline: worth another fan-out. */
  exhausted: Recipient[]
  /** Retries made, throttling included. */
  retried: number
}

/** The clock deliveries retry on (the backoff's). */
export type DeliveryClock = BackoffClock

/**
 * Posts one payload to every recipient with bounded concurrency, each post (retries too) within
 * the delivery budget when there is one; 429 and 5xx are retried with exponential backoff and
 * full jitter until the deadline, 410 is reported as gone.
 */
export async function deliver(
  poster: ConnectionPoster,
  recipients: readonly Recipient[],
  payload: string,
  options: { [K in keyof DeliveryOptions]?: DeliveryOptions[K] | undefined } = {},
  clock: DeliveryClock = realClock,
  budget?: DeliveryBudget,
): Promise<DeliveryReport> {
  const settings = withDefaults(DEFAULT_DELIVERY_OPTIONS, options)
  const deadline = clock.now() + settings.deadlineMs
  const report: DeliveryReport = { delivered: 0, gone: [], refused: [], exhausted: [], retried: 0 }

  await runPool(recipients, settings.concurrency, async (recipient) => {
    const outcome = await withBackoff<'delivered' | 'gone' | 'refused'>(
      async () => {
        try {
          await budget?.take()
          await poster.post(recipient.connectionId, payload)
          return { done: true, value: 'delivered' }
        } catch (error) {
          const { kind } = classifyDeliveryError(error)
          if (kind === 'gone') return { done: true, value: 'gone' }
          if (kind === 'reject') return { done: true, value: 'refused' }
          return { done: false }
        }
      },
      {
        baseMs: settings.baseDelayMs,
        maxMs: settings.maxDelayMs,
        deadline,
        clock,
        onRetry: () => report.retried++,
      },
    )
    if (!outcome) report.exhausted.push(recipient)
    else if (outcome.value === 'delivered') report.delivered++
    else report[outcome.value].push(recipient)
  })
  return report
}
