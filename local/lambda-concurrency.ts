import { ConfigError, HeraldError } from '../shared/errors.js'

/** Lambda's default concurrency quota: executions at once, for every function of an account in a Region. */
export const ACCOUNT_CONCURRENCY = 1000

/** Which limit refused an invocation, as Lambda names it in a TooManyRequestsException's `Reason`. */
export type ThrottleReason =
  | 'ReservedFunctionConcurrentInvocationLimitExceeded'
  | 'ConcurrentInvocationLimitExceeded'

/**
 * What Lambda answers an invocation it has no concurrency for: `TooManyRequestsException`, HTTP 429.
 * A synchronous caller gets it; an asynchronous invocation is kept in Lambda's queue and tried again.
 */
export class TooManyRequestsError extends HeraldError {
  /** The Invoke API's answer: its status, and the error type the SDK names its exception from. */
  readonly status = 429
  readonly type = 'TooManyRequestsException'
  readonly reason: ThrottleReason

  constructor(reason: ThrottleReason) {
    super('too_many_requests', 'Rate Exceeded.')
    this.reason = reason
  }
}

/**
 * Lambda's concurrency accounting: every execution in progress holds one unit. A function with
 * reserved concurrency runs at most that many at once, and that many are set aside for it alone;
 * the other functions share what is left of the account's quota, so one of them under a storm can
 * take the rest's (docs: Lambda, "Configuring reserved concurrency").
 */
export class AccountConcurrency {
  readonly #limit: number
  readonly #reserved = new Map<string, number>()
  readonly #running = new Map<string, number>()
  #unreservedRunning = 0

  constructor(limit = ACCOUNT_CONCURRENCY) {
    this.#limit = limit
  }

  /** Sets a function's reserved concurrency; refused, as by Lambda, beyond what the account has. */
  reserve(name: string, count: number): void {
    const others = this.#totalReserved() - (this.#reserved.get(name) ?? 0)
    if (!Number.isInteger(count) || count < 0 || others + count > this.#limit)
      throw new ConfigError(
        `${name}: reserved concurrency ${count} does not fit the account's ${this.#limit - others} left`,
      )
    this.#reserved.set(name, count)
  }

  /** Takes a unit for one execution of `name`, or says which limit refuses it. */
  acquire(name: string): ThrottleReason | undefined {
    const running = this.#running.get(name) ?? 0
    const reserved = this.#reserved.get(name)
    if (reserved !== undefined) {
      if (running >= reserved) return 'ReservedFunctionConcurrentInvocationLimitExceeded'
    } else if (this.#unreservedRunning >= this.#limit - this.#totalReserved()) {
      return 'ConcurrentInvocationLimitExceeded'
    } else {
      this.#unreservedRunning++
    }
    this.#running.set(name, running + 1)
    return undefined
  }

  /** Gives back the unit of an execution of `name` that has ended. */
  release(name: string): void {
    this.#running.set(name, (this.#running.get(name) ?? 1) - 1)
    if (!this.#reserved.has(name)) this.#unreservedRunning--
  }

  /** Executions of `name` in progress. */
  running(name: string): number {
    return this.#running.get(name) ?? 0
  }

  #totalReserved(): number {
    let total = 0
    for (const count of this.#reserved.values()) total += count
    return total
  }
}
