import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_BACKOFF, reconnectDelay } from '../../client/core/backoff.js'
import { SeenIds } from '../../client/core/dedupe.js'
import { Heartbeat } from '../../client/core/heartbeat.js'
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

  it('pings after a quiet interval and declares the socket dead when nothing answers', () => {
    const ping = vi.fn()
    const onDead = vi.fn()
    new Heartbeat({ intervalMs: 240_000, timeoutMs: 10_000, ping, onDead }).start()

    vi.advanceTimersByTime(239_999)
    expect(ping).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(ping).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(9_999)
    expect(onDead).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onDead).toHaveBeenCalledTimes(1)
  })

  it('counts any received frame as life: a busy socket never pings', () => {
    const ping = vi.fn()
    const heartbeat = new Heartbeat({ intervalMs: 1000, timeoutMs: 100, ping, onDead: vi.fn() })
    heartbeat.start()

    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(900)
      heartbeat.alive()
    }

    expect(ping).not.toHaveBeenCalled()
    heartbeat.stop()
  })

  it('keeps the connection when the pong arrives in time', () => {
    const onDead = vi.fn()
    const heartbeat = new Heartbeat({ intervalMs: 1000, timeoutMs: 100, ping: vi.fn(), onDead })
    heartbeat.start()
    vi.advanceTimersByTime(1050)
    heartbeat.alive()
    vi.advanceTimersByTime(500)
    expect(onDead).not.toHaveBeenCalled()
    heartbeat.stop()
  })
})

describe('Function: insertById', () => {
  it('keeps the list in id order whatever the arrival order', () => {
    const ids = ['01A', '01C', '01B', '01E', '01D']
    const list = ids.reduce<{ id: string }[]>((sorted, id) => insertById(sorted, { id }), [])
    expect(list.map((item) => item.id)).toEqual(['01A', '01B', '01C', '01D', '01E'])
  })
})
