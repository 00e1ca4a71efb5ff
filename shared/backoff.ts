/** Time and chance, injectable so tests can run a retry schedule without waiting. */
export interface BackoffClock {
  now: () => number
  sleep: (ms: number) => Promise<void>
  random: () => number
}

export const realClock: BackoffClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
}

export interface BackoffOptions {
  /** The first pause's ceiling, in ms; each retry doubles it. */
  baseMs: number
  /** The largest ceiling, in ms. */
  maxMs: number
  /** Tries at most (the first included). @default unlimited */
  attempts?: number
  /** Give up rather than pause past this time (`clock.now()`). @default none */
  deadline?: number
  /** Full jitter: each pause is drawn below its ceiling, so retries of many callers spread out. @default true */
  jitter?: boolean
  clock?: BackoffClock
  /** Called before each pause. */
  onRetry?: () => void
}

/** What one try found: a value to return, or nothing yet (try again). */
export type Try<T> = { done: true; value: T } | { done: false }

/**
 * Runs `tryOnce` until it is done, pausing with exponential backoff between tries: the one retry
 * schedule every Herald loop uses (deliveries, the welcome, batch writes, conflicting updates).
 * Returns the value, or `undefined` when the attempts or the deadline ran out.
 *
 * @example await withBackoff(async () => ({ done: await ready() }), { baseMs: 10, maxMs: 200, deadline: Date.now() + 5000 })
 */
export async function withBackoff<T>(
  tryOnce: (attempt: number) => Promise<Try<T>>,
  options: BackoffOptions,
): Promise<{ value: T } | undefined> {
  const clock = options.clock ?? realClock
  for (let attempt = 0; ; attempt++) {
    const result = await tryOnce(attempt)
    if (result.done) return { value: result.value }
    if (options.attempts !== undefined && attempt + 1 >= options.attempts) return undefined
    const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt)
    const pause = options.jitter === false ? ceiling : clock.random() * ceiling
    if (options.deadline !== undefined && clock.now() + pause > options.deadline) return undefined
    options.onRetry?.()
    await clock.sleep(pause)
  }
}
