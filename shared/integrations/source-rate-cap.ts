import { TokenBucket } from '../fan-out/token-bucket.js'

/**
 * A per-source cap on log events (per function instance): a log storm cannot become a bill storm.
 * What it drops is counted, so it can be announced.
 */
export class SourceRateCap {
  readonly #buckets = new Map<string, TokenBucket>()
  readonly #dropped = new Map<string, number>()

  constructor(
    readonly perSecond: number,
    readonly burst: number = perSecond,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether one more event from `source` may go through now. */
  take(source: string): boolean {
    let bucket = this.#buckets.get(source)
    if (!bucket) {
      bucket = new TokenBucket(this.perSecond, this.burst, this.now)
      this.#buckets.set(source, bucket)
    }
    if (bucket.take()) return true
    this.#dropped.set(source, (this.#dropped.get(source) ?? 0) + 1)
    return false
  }

  /** Events dropped per source since the last call. */
  drainDropped(): Map<string, number> {
    const dropped = new Map(this.#dropped)
    this.#dropped.clear()
    return dropped
  }
}
