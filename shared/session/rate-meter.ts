/**
 * A connection's message budget as a generic cell rate algorithm: `tat` is when the bucket would be
 * full again, `refusedTat` the same for its debt of refused frames. Both only move forward, which
 * is what lets the DynamoDB version (rate-limit.ts) apply each step as one conditional update.
 */
export interface RateState {
  /** Epoch ms. */
  tat?: number
  /** Epoch ms. */
  refusedTat?: number
}

export interface RateLimits {
  /** Messages a connection may send per second, sustained. */
  rate: number
  /** Messages it may send at once after being quiet. */
  burst: number
  /** Sending at this many times the rate… */
  closeFactor: number
  /** …for this many seconds is abuse, and the connection is closed. */
  abuseSeconds: number
}

export type RateVerdict =
  | { verdict: 'ok' }
  | { verdict: 'limited'; retryAfterMs: number }
  | { verdict: 'abusive'; retryAfterMs: number }

/** The algorithm's constants, in milliseconds and frames. */
export function rateConstants({ rate, burst, closeFactor, abuseSeconds }: RateLimits) {
  const interval = 1000 / rate
  return {
    interval,
    /** How far ahead of now `tat` may be for a frame to pass: the burst. */
    tolerance: (burst - 1) * interval,
    /**
     * The refused frames that make abuse. Refused frames drain at `rate`; sending at closeFactor
     * times the rate refuses (closeFactor − 1) × rate a second, so the debt grows by
     * (closeFactor − 2) × rate a second and reaches this after `abuseSeconds`, not before. A busy
     * second, or twice the rate for ever, only gets `rate_limited`.
     */
    abusiveDebt: Math.max(1, (closeFactor - 2) * rate * abuseSeconds),
  }
}

/** The verdict for a refused frame, from the bucket's and the debt's new state. */
export function refusal(tat: number, refusedTat: number, now: number, limits: RateLimits): RateVerdict {
  const { interval, tolerance, abusiveDebt } = rateConstants(limits)
  const retryAfterMs = Math.max(1, Math.ceil(tat - tolerance - now))
  const debt = (refusedTat - now) / interval
  return { verdict: debt >= abusiveDebt - 1e-9 ? 'abusive' : 'limited', retryAfterMs }
}

/**
 * One frame through the bucket: passes while `tat` is within the burst of now; a refused frame
 * adds to the debt, which drains at the rate.
 *
 * @example meter({}, Date.now(), { rate: 10, burst: 20, closeFactor: 3, abuseSeconds: 3 })
 */
export function meter(
  state: RateState,
  now: number,
  limits: RateLimits,
): { state: RateState; result: RateVerdict } {
  const { interval, tolerance } = rateConstants(limits)
  const tat = Math.max(state.tat ?? now, now)
  if (tat - now <= tolerance) return { state: { ...state, tat: tat + interval }, result: { verdict: 'ok' } }
  const refusedTat = Math.max(state.refusedTat ?? now, now) + interval
  return { state: { tat, refusedTat }, result: refusal(tat, refusedTat, now, limits) }
}
