import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../shared/errors.js'
import { type BudgetClock, DeliveryBudget } from '../../shared/fan-out/delivery-budget.js'

/** Time stands still; each take records how long it was told to wait. */
function frozenClock(): BudgetClock & { waits: number[] } {
  const waits: number[] = []
  return {
    waits,
    now: () => 0,
    sleep: async (ms) => {
      waits.push(ms)
    },
  }
}

describe('Class: DeliveryBudget', () => {
  it('lets a burst through at once, then spaces requests one interval apart, in order', async () => {
    const clock = frozenClock()
    const budget = new DeliveryBudget(1000, 5, clock)

    for (let i = 0; i < 10; i++) await budget.take()

    expect(clock.waits).toEqual([1, 2, 3, 4, 5])
  })

  it('never grants more than burst + rate × seconds', async () => {
    const clock = frozenClock()
    const budget = new DeliveryBudget(10_000, 5_000, clock)

    await Promise.all(Array.from({ length: 25_000 }, () => budget.take()))

    // 5,000 at once, then 20,000 spaced 0.1 ms apart: the last waits 2 s.
    expect(clock.waits).toHaveLength(20_000)
    expect(Math.max(...clock.waits)).toBeCloseTo(2000, 3)
  })

  it('refuses a budget that could never grant anything', () => {
    expect(() => new DeliveryBudget(0, 10)).toThrow(ConfigError)
    expect(() => new DeliveryBudget(100, 0)).toThrow(ConfigError)
  })
})
