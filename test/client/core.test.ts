import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_BACKOFF, reconnectDelay } from '../../client/core/backoff.js'
import { SeenIds } from '../../client/core/dedupe.js'
import { Heartbeat, type HeartbeatOptions } from '../../client/core/heartbeat.js'
import { insertById } from '../../client/core/ordered.js'

describe('Function: reconnectDelay', () => {
  it('starts at 3 s and doubles to at most 5x', () => {
    const middle = () => 0.5
    expect([0, 1, 2, 3, 4, 9].map((attempt) => reconnectDelay(attempt, DEFAULT_BACKOFF, middle))).toEqual([
      3000, 6000, 12000, 15000, 15000, 15000,
    ])
  })

  it('spreads each delay by ±20 %', () => {
    expect(reconnectDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(2400)
    expect(reconnectDelay(0, DEFAULT_BACKOFF, () => 1)).toBe(3600)
    expect(reconnectDelay(5, DEFAULT_BACKOFF, () => 1)).toBe(18000)
  })
})

describe('Class: SeenIds', () => {
  it('reports an id seen before, and forgets the oldest past its capacity', () => {
    const seen = new SeenIds(2)
    expect([seen.check('a'), seen.check('b'), seen.check('a')]).toEqual([false, false, true])
    seen.check('c')
    expect(seen.check('a')).toBe(false)
    expect(seen.check('c')).toBe(true)
  })

  it('remembers the last 1,000 ids by default', () => {
    const seen = new SeenIds()
    for (let i = 0; i < 1000; i++) seen.check(`id-${i}`)
    expect(seen.check('id-0')).toBe(true)

    seen.check('id-1000')
    expect(seen.check('id-999')).toBe(true)
    expect(seen.check('id-0')).toBe(false)
  })
})

describe('Class: Heartbeat', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const heartbeat = (options: Partial<HeartbeatOptions> = {}) => {
    const calls = { keepalive: vi.fn(), ping: vi.fn(), onDead: vi.fn() }
    const beat = new Heartbeat({ intervalMs: 510_000, timeoutMs: 10_000, ...calls, ...options })
    beat.start()
    return { beat, ...calls }
  }

  it('sends one unanswered keepalive per 8.5 silent minutes, and never a ping, on an idle socket', () => {
    const { beat, keepalive, ping, onDead } = heartbeat()

    vi.advanceTimersByTime(509_999)
    expect(keepalive).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(keepalive).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(10 * 510_000)

    expect(keepalive).toHaveBeenCalledTimes(11)
    expect(ping).not.toHaveBeenCalled()
    expect(onDead).not.toHaveBeenCalled()
    beat.stop()
  })

  it('counts every frame the client sends as the silence ending: a chatty client sends no keepalive', () => {
    const { beat, keepalive } = heartbeat({ intervalMs: 1000 })

    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(900)
      beat.sent()
    }

    expect(keepalive).not.toHaveBeenCalled()
    beat.stop()
  })

  it('checks with a ping when the machine slept, and declares the socket dead when nothing answers', () => {
    let now = 0
    const { keepalive, ping, onDead } = heartbeat({ now: () => now })

    // The timer fires at last, an hour after it was due: the laptop was closed.
    now = 510_000 + 3_600_000
    vi.advanceTimersByTime(510_000)

    expect(keepalive).not.toHaveBeenCalled()
    expect(ping).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(9_999)
    expect(onDead).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onDead).toHaveBeenCalledTimes(1)
  })

  it('keeps the socket when any frame answers a check in time, and sends one ping per check', () => {
    const { beat, ping, onDead } = heartbeat()

    beat.check()
    beat.check()
    vi.advanceTimersByTime(5_000)
    beat.alive()
    vi.advanceTimersByTime(60_000)

    expect(ping).toHaveBeenCalledTimes(1)
    expect(onDead).not.toHaveBeenCalled()
    beat.stop()
  })
})

describe('Function: insertById', () => {
  it('keeps the list in id order whatever the arrival order', () => {
    const ids = ['01A', '01C', '01B', '01E', '01D']
    const list = ids.reduce<{ id: string }[]>((sorted, id) => insertById(sorted, { id }), [])
    expect(list.map((item) => item.id)).toEqual(['01A', '01B', '01C', '01D', '01E'])
  })
})
