import { describe, expect, it } from 'vitest'
import { type BackoffClock, withBackoff } from '../../shared/backoff.js'

function fakeClock(random = 1): BackoffClock & { slept: number[] } {
  let now = 0
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    random: () => random,
    sleep: async (ms) => {
      slept.push(ms)
      now += ms
    },
  }
}

describe('Function: withBackoff', () => {
  it('returns the value of the first try that is done, pausing twice as long each time up to the ceiling', async () => {
    const clock = fakeClock()
    const result = await withBackoff(
      async (attempt) => (attempt === 5 ? { done: true, value: 'ok' } : { done: false }),
      {
        baseMs: 10,
        maxMs: 50,
        jitter: false,
        clock,
      },
    )
    expect(result).toEqual({ value: 'ok' })
    expect(clock.slept).toEqual([10, 20, 40, 50, 50])
  })

  it('draws each pause below its ceiling with full jitter', async () => {
    const clock = fakeClock(0.25)
    await withBackoff(async (attempt) => (attempt === 2 ? { done: true, value: 1 } : { done: false }), {
      baseMs: 100,
      maxMs: 1000,
      clock,
    })
    expect(clock.slept).toEqual([25, 50])
  })

  it('gives up after its attempts, having tried exactly that many times', async () => {
    let tries = 0
    const result = await withBackoff(
      async () => {
        tries++
        return { done: false }
      },
      { baseMs: 1, maxMs: 1, attempts: 4, clock: fakeClock() },
    )
    expect(result).toBeUndefined()
    expect(tries).toBe(4)
  })

  it('gives up rather than pause past its deadline, and counts each retry', async () => {
    const clock = fakeClock()
    let retries = 0
    const result = await withBackoff(async () => ({ done: false }), {
      baseMs: 100,
      maxMs: 100,
      jitter: false,
      deadline: 350,
      clock,
      onRetry: () => retries++,
    })
    expect(result).toBeUndefined()
    expect(clock.slept).toEqual([100, 100, 100])
    expect(retries).toBe(3)
  })
})
