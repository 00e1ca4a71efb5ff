/** A token bucket: `rate` tokens a second, holding at most `burst`; the shape of API Gateway's throttling. */
export class TokenBucket {
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #last: number

  constructor(rate: number, burst: number, now: () => number = () => performance.now()) {
    this.#rate = rate
    this.#burst = burst
    this.#now = now
    this.#tokens = burst
    this.#last = now()
  }

  /** Takes a token if one is left. */
  take(): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate)
    this.#last = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
