import { describe, expect, it } from 'vitest'
import { MessageRateLimit } from '../../shared/session/rate-limit.js'
import { meter, type RateState } from '../../shared/session/rate-meter.js'
import { withLocalDynamo } from '../support/local-dynamo.js'

const dynamo = withLocalDynamo()
const LIMITS = { rate: 10, burst: 20, closeFactor: 3, abuseSeconds: 3 }

function limiter(clock: { now: number }) {
  return new MessageRateLimit({
    client: dynamo.client,
    tableName: dynamo.tables.connections,
    now: () => clock.now,
    ...LIMITS,
  })
}

describe('Class: MessageRateLimit (in DynamoDB)', () => {
  it('counts frames of one connection sent in parallel exactly: the burst passes, the rest are limited', async () => {
    const limit = limiter({ now: 1_000_000 })

    const verdicts = await Promise.all(Array.from({ length: 30 }, () => limit.check('parallel')))

    expect(verdicts.filter((v) => v.verdict === 'ok')).toHaveLength(20)
    expect(verdicts.filter((v) => v.verdict === 'limited')).toHaveLength(10)
  })

  it('gives the same verdicts as the pure meter for a connection sending at three times the rate', async () => {
    const clock = { now: 5_000_000 }
    const limit = limiter(clock)
    let state: RateState = {}
    const seen = new Set<string>()
    for (let i = 0; i < 150; i++) {
      clock.now = 5_000_000 + Math.round((i * 1000) / 30)
      const expected = meter(state, clock.now, LIMITS)
      state = expected.state
      const verdict = await limit.check('steady')
      expect(verdict, `frame ${i}`).toEqual(expected.result)
      seen.add(verdict.verdict)
    }
    // Five seconds at three times the rate: every verdict occurred, abuse included.
    expect([...seen].sort()).toEqual(['abusive', 'limited', 'ok'])
  })

  it('keeps each connection’s bucket apart: the noisy one is refused, the quiet one is not', async () => {
    const limit = limiter({ now: 9_000_000 })
    for (let i = 0; i < 25; i++) await limit.check('noisy')

    const quiet = await limit.check('quiet')
    const noisy = await limit.check('noisy')

    expect(quiet).toEqual({ verdict: 'ok' })
    // Past its burst of 20 with the clock standing still, the next slot is one interval (100 ms) away.
    expect(noisy).toEqual({ verdict: 'limited', retryAfterMs: 100 })
  })
})
