import { describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { insertById } from '../../client/core/ordered.js'
import { WebSocketService } from '../../client/websocket-service.js'
import type { WebSocketConstructor } from '../../client/websocket-types.js'
import { withLocalStack } from '../support/local-stack.js'

const herald = withLocalStack()

function clientOf(userId: string) {
  const ids: string[] = []
  // The list as the hooks keep it: each arrival put in its place by id (client/core/ordered.ts).
  let shown: { id: string }[] = []
  const service = new WebSocketService({
    url: herald.stack.websocketUrl,
    getToken: () => herald.token(userId),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnectDelay: 100,
    onMessage: (frame) => {
      if (frame.type !== 'alert') return
      ids.push(frame.id)
      shown = insertById(shown, { id: frame.id })
    },
  })
  return { userId, ids, service, shown: () => shown.map((item) => item.id) }
}

async function publishWhile(disrupt: () => Promise<void>, users: string[], count: number) {
  const expected = new Map(users.map((user) => [user, [] as string[]]))
  const publishing = (async () => {
    for (let i = 0; i < count; i++) {
      const user = users[i % users.length] as string
      expected.get(user)?.push(
        (
          await herald.publisher.sendAlertNotification(user, {
            severity: 'low',
            title: `#${i}`,
            message: '',
          })
        ).id,
      )
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  })()
  await new Promise((resolve) => setTimeout(resolve, 200))
  await disrupt()
  await publishing
  await herald.stack.idle()
  return expected
}

describe('Reconnect and resume', () => {
  it.each([
    ['the gateway restarts', () => herald.stack.gateway.restart(700)],
    [
      'every socket is dropped',
      async () => {
        for (const id of herald.stack.gateway.connectionIds) herald.stack.gateway.drop(id)
      },
    ],
  ])(
    'shows every notification exactly once, in id order, when %s while events are published',
    async (_, disrupt) => {
      const clients = ['rey', 'finn', 'poe'].map(clientOf)
      for (const client of clients) client.service.connect()
      await vi.waitFor(() => expect(clients.every((client) => client.service.isConnected)).toBe(true))

      const expected = await publishWhile(
        disrupt,
        clients.map((client) => client.userId),
        60,
      )

      for (const client of clients) {
        const mine = expected.get(client.userId) as string[]
        await vi.waitFor(() => expect(client.ids.length).toBe(mine.length), { timeout: 10_000 })
        expect(new Set(client.ids).size).toBe(client.ids.length)
        // What the list shows is the publish order, whatever order the frames arrived in.
        expect(client.shown()).toEqual(mine)
        client.service.disconnect()
      }
    },
    30_000,
  )
})
