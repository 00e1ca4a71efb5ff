import { describe, expect, it, vi } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

const herald = withLocalStack({
  env: { HERALD_MAX_MESSAGES_PER_SECOND: '5', HERALD_MAX_CONNECTIONS_PER_USER: '3' },
})

// A frame for the `$default` route (a function answers it); `ping` is API Gateway's own route.
const TO_FUNCTION = { type: 'hello' }
const answered = (frame: { type: string; data?: unknown }) =>
  frame.type === 'error' && (frame.data as { code?: string }).code === 'unknown_type'

describe('Abuse limits', () => {
  it('lets a quiet connection send its burst, limits the rest with when to retry, and keeps it open', async () => {
    const client = await herald.connect('chatty')

    // Rate 5 a second with a burst of 10: fifteen at once is one busy second at three times the rate.
    const sentAt = Date.now()
    for (let i = 0; i < 15; i++) client.send(TO_FUNCTION)
    await vi.waitFor(() => expect(client.frames.length).toBe(16), { interval: 5 })
    // The bucket refills one frame every 200 ms while the fifteen are handled, so a slow machine
    // rightly lets one more through for each 200 ms it took; a fast one lets exactly the burst.
    const refilled = Math.floor((Date.now() - sentAt) / 200)

    const answers = client.frames.slice(1)
    const passed = answers.filter(answered).length
    expect(passed).toBeGreaterThanOrEqual(10)
    expect(passed).toBeLessThanOrEqual(10 + refilled)
    const limited = answers.filter((f) => !answered(f))
    expect(limited).toHaveLength(15 - passed)
    expect(limited.length).toBeGreaterThan(0)
    for (const frame of limited)
      expect(frame.data).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) })
    // As a client would: wait as long as the server said, then send again.
    const { retryAfterMs } = (limited.at(-1)?.data ?? {}) as { retryAfterMs: number }
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs))
    client.send(TO_FUNCTION)
    expect(answered(await client.next('error'))).toBe(true)
    expect(client.closed).toBeUndefined()
    client.close()
  })

  it('closes a connection whose flood is worth three seconds at three times the rate', async () => {
    const client = await herald.connect('flooder')

    for (let i = 0; i < 100; i++) client.send(TO_FUNCTION)

    expect((await client.waitClosed()).code).toBe(1000)
    expect(client.received('error').at(-1)?.data).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('closing the connection'),
    })
    await vi.waitFor(async () =>
      expect(
        (await herald.storedItems()).some((item) => item.userId === 'flooder' && item.sk === 'meta'),
      ).toBe(false),
    )
  })

  it('refuses a user’s connection past the per-user cap with 429, storing nothing', async () => {
    const open = [await herald.connect('busy'), await herald.connect('busy'), await herald.connect('busy')]

    const fourth = await TestClient.open(`${herald.stack.websocketUrl}/?token=${await herald.token('busy')}`)

    expect((fourth as Refusal).status).toBe(429)
    const stored = (await herald.storedItems()).filter((item) => item.userId === 'busy' && item.sk === 'meta')
    expect(stored.map((item) => item.connectionId).sort()).toEqual(open.map((c) => c.connectionId).sort())
    open[0]?.close()
    await vi.waitFor(async () => {
      const again = await TestClient.open(`${herald.stack.websocketUrl}/?token=${await herald.token('busy')}`)
      expect(again).toBeInstanceOf(TestClient)
      ;(again as TestClient).close()
    })
    for (const client of open) client.close()
  })
})
