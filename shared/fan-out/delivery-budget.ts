import { ConfigError } from '../errors.js'

export interface BudgetClock {
  now: () => number
  sleep: (ms: number) => Promise<void>
}

const realClock: BudgetClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * A share of the account's Management API quota (API Gateway: 10,000 requests/s, burst 5,000,
 * for every PostToConnection in the account and region). Each post waits for its slot instead of
 * being sent into a 429: a generic cell rate algorithm, where every caller reserves the next free
 * slot in order, so a hundred concurrent posters queue fairly instead of stampeding.
 *
 * @example
 * const budget = new DeliveryBudget(1000, 500) // this worker's share
 * await budget.take()
 */
export class DeliveryBudget {
  readonly #interval: number
  readonly #tolerance: number
  readonly #clock: BudgetClock
  #theoreticalArrival = Number.NEGATIVE_INFINITY

  constructor(ratePerSecond: number, burst: number, clock: BudgetClock = realClock) {
    if (!(ratePerSecond > 0) || !(burst >= 1))
      throw new ConfigError('a delivery budget needs a positive rate and a burst of at least 1')
    this.#interval = 1000 / ratePerSecond
    this.#tolerance = (burst - 1) * this.#interval
    this.#clock = clock
  }

  /** Resolves when this caller may send one request. */
  async take(): Promise<void> {
    const now = this.#clock.now()
    const start = Math.max(this.#theoreticalArrival, now)
    this.#theoreticalArrival = start + this.#interval
    const allowedAt = start - this.#tolerance
    // Below a microsecond is floating-point drift from summing intervals, not a wait.
    if (allowedAt - now > 1e-3) await this.#clock.sleep(allowedAt - now)
  }
}

/**
 * One delivery worker's equal share of the account's quota, as the CDK stack and the local stack
 * both divide it; a share's burst is at least one post.
 */
export function workerShare(quota: { rate: number; burst: number }, workers: number) {
  return { rate: quota.rate / workers, burst: Math.max(1, quota.burst / workers) }
}
