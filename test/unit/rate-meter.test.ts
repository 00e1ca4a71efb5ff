import { describe, expect, it } from 'vitest'
import { meter, type RateState } from '../../shared/session/rate-meter.js'

const LIMITS = { rate: 10, burst: 20, closeFactor: 3, abuseSeconds: 3 }

/** Sends `perSecond` frames a second, evenly, for `seconds`, from `start`; the verdicts in order. */
function send(perSecond: number, seconds: number, start = 0, from: RateState = {}) {
  let state = from
  const verdicts: string[] = []
  for (let i = 0; i < perSecond * seconds; i++) {
    const out = meter(state, start + (i * 1000) / perSecond, LIMITS)
    state = out.state
    verdicts.push(out.result.verdict)
  }
  return { verdicts, state, count: (verdict: string) => verdicts.filter((v) => v === verdict).length }
}

describe('Function: meter (a connection’s token bucket)', () => {
  it('lets a quiet connection send its burst at once, then limits the 21st frame', () => {
    const at = 1_000_000
    const first = send(20, 1, at).verdicts // 20 evenly in a second: within burst
    expect(first.every((v) => v === 'ok')).toBe(true)
    let state: RateState = {}
    const burst = Array.from({ length: 21 }, () => {
      const out = meter(state, at, LIMITS)
      state = out.state
      return out.result.verdict
    })
    expect(burst.slice(0, 20).every((v) => v === 'ok')).toBe(true)
    expect(burst[20]).toBe('limited')
  })

  it('allows the sustained rate for ever, whatever the second boundaries', () => {
    expect(send(10, 60, 123).count('ok')).toBe(600)
  })

  it('says when to retry: the time until the next token', () => {
    let state: RateState = {}
    for (let i = 0; i < 20; i++) state = meter(state, 0, LIMITS).state
    expect(meter(state, 0, LIMITS).result).toEqual({ verdict: 'limited', retryAfterMs: 100 })
    expect(meter(state, 40, LIMITS).result).toEqual({ verdict: 'limited', retryAfterMs: 60 })
    expect(meter(state, 100, LIMITS).result.verdict).toBe('ok')
  })

  it('only limits one busy second at three times the rate, and twice the rate for a minute', () => {
    expect(send(30, 1).count('abusive')).toBe(0)
    const twice = send(20, 60)
    expect(twice.count('limited')).toBeGreaterThan(0)
    expect(twice.count('abusive')).toBe(0)
  })

  it('calls three times the rate abusive once it has lasted three seconds past the burst', () => {
    const { verdicts } = send(30, 6)
    const first = verdicts.indexOf('abusive')
    // The burst covers the first second; then the debt grows by rate a second to rate × 3.
    expect(first / 30).toBeGreaterThan(3.5)
    expect(first / 30).toBeLessThan(4.5)
  })

  it('forgives: after abuse stops, the debt drains and frames pass again', () => {
    const { state } = send(30, 3)
    expect(meter(state, 3_000 + 10_000, LIMITS).result.verdict).toBe('ok')
  })
})
