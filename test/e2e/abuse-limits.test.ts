import { describe, expect, it, vi } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

const herald = withLocalStack({
  env: { HERALD_MAX_MESSAGES_PER_SECOND: '5', HERALD_MAX_CONNECTIONS_PER_USER: '3' },
})

describe('Abuse limits', () => {
  it('answers messages past the per-connection rate with rate_limited, and keeps the connection', async () => {
    const client = await herald.connect('chatty')

    for (let i = 0; i < 8; i++) client.send({ type: 'ping' })
    await vi.waitFor(() => expect(client.frames.length).toBe(9))

    const answers = client.frames.slice(1)
    expect(answers.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(5)
    expect(answers.filter((f) => f.type === 'error').map((f) => (f.data as { code: string }).code)).toContain(
      'rate_limited',
    )
    await new Promise((resolve) => setTimeout(resolve, 1100))
    client.send({ type: 'ping' })
    expect((await client.next('pong')).type).toBe('pong')
    client.close()
  })

  it('closes a connection that keeps flooding (three times the limit in a second)', async () => {
    const client = await herald.connect('flooder')

    for (let i = 0; i < 40; i++) client.send({ type: 'ping' })

    expect((await client.waitClosed()).code).toBe(1000)
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
    open[0]?.close()
    await vi.waitFor(async () => {
      const again = await TestClient.open(`${herald.stack.websocketUrl}/?token=${await herald.token('busy')}`)
      expect(again).toBeInstanceOf(TestClient)
      ;(again as TestClient).close()
    })
    for (const client of open) client.close()
  })
})
