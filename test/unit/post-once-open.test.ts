import { describe, expect, it } from 'vitest'
import type { BackoffClock } from '../../shared/backoff.js'
import { type ConnectionPoster, DeliveryError } from '../../shared/fan-out/connection-poster.js'
import { postOnceOpen } from '../../shared/fan-out/post-once-open.js'

/** A clock that moves only when the retry loop sleeps: the 5 s deadline passes without waiting. */
function fakeClock(): BackoffClock {
  let now = 0
  return {
    now: () => now,
    random: () => 1,
    sleep: async (ms) => {
      now += ms
    },
  }
}

/** API Gateway's answer for a socket not open (yet, or any more): 410 to every post. */
function goneAlways(): ConnectionPoster & { posts: number } {
  return {
    posts: 0,
    async post() {
      this.posts++
      throw new DeliveryError('gone', 410, 'GoneException')
    },
    async close() {},
  }
}

describe('Function: postOnceOpen', () => {
  it('stops retrying a 410 once the store says the socket left, after three tries', async () => {
    const poster = goneAlways()
    let reads = 0
    const stillStored = async () => {
      reads++
      return false
    }

    const delivered = await postOnceOpen(poster, 'c1', '{}', { clock: fakeClock(), stillStored })

    expect(delivered).toBe(false)
    expect(poster.posts).toBe(3)
    expect(reads).toBe(1)
  })

  it('keeps retrying a 410 to its deadline while the connection is still stored (still opening)', async () => {
    const poster = goneAlways()
    const stillStored = async () => true

    const delivered = await postOnceOpen(poster, 'c1', '{}', { clock: fakeClock(), stillStored })

    // 10, 20, 40, 80, 160 ms, then every 200 ms until 5 s have passed.
    expect(delivered).toBe(false)
    expect(poster.posts).toBe(29)
  })

  it('reads nothing for a socket that opens within its first tries', async () => {
    let posts = 0
    const poster: ConnectionPoster = {
      async post() {
        if (++posts < 3) throw new DeliveryError('gone', 410, 'GoneException')
      },
      async close() {},
    }
    let reads = 0
    const stillStored = async () => {
      reads++
      return true
    }

    expect(await postOnceOpen(poster, 'c1', '{}', { clock: fakeClock(), stillStored })).toBe(true)
    expect(reads).toBe(0)
  })
})
