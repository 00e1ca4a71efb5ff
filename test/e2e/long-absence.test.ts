import { SNSClient } from '@aws-sdk/client-sns'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { ConnectionState } from '../../client/core/connection-state.js'
import { WebSocketService } from '../../client/websocket-service.js'
import type { WebSocketConstructor } from '../../client/websocket-types.js'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { type LocalEndpoints, readEndpoints } from '../../local/endpoints-file.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { createPublisher, type Publisher } from '../../shared/publisher/publisher.js'
import { interrupt, npmStart, type Started } from '../support/npm-start.js'

// The scenario, on `npm start` as a user runs it: a browser away while more than one resume
// page (HERALD_RESUME_LIMIT, 100) of alerts is published for its user comes back while live alerts
// keep flowing, one every 50 ms. Herald's own client must show every alert exactly once.

let stack: Started
let endpoints: LocalEndpoints
let sns: SNSClient
let publisher: Publisher

beforeAll(async () => {
  stack = await npmStart()
  endpoints = await readEndpoints(stack.configFile)
  sns = new SNSClient({
    endpoint: endpoints.snsEndpoint,
    region: endpoints.region,
    credentials: LOCAL_CREDENTIALS,
  })
  publisher = createPublisher({ client: sns, topicArn: endpoints.topicArn })
}, 60_000)

afterAll(async () => {
  sns.destroy()
  await interrupt(stack)
})

const alert = (title: string) => ({ severity: 'low' as const, title, message: title })

/** A tab of `userId` driven by Herald's own client; `shown` is every alert title it showed. */
async function tab(userId: string) {
  const shown: string[] = []
  const service = new WebSocketService({
    url: endpoints.websocketUrl,
    getToken: () => signLocalToken({ userId, secret: LOCAL_JWT_SECRET }),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnectDelay: 50,
    onMessage: (frame) => {
      if (frame.type === 'alert') shown.push((frame.data as { title: string }).title)
    },
  })
  service.connect()
  await vi.waitFor(() => expect(service.state).toBe(ConnectionState.Open), { timeout: 10_000 })
  return { service, shown }
}

async function awayAndBack(missed: number, live: number) {
  const userId = `away-${missed}-${Date.now()}`
  const { service, shown } = await tab(userId)
  // The same user's desk, which stays online: once it has every missed alert live, the fan-out has
  // recorded them all (history first, then the post), and the laptop's resume has pages to read.
  const desk = await tab(userId)
  await publisher.sendAlertNotification(userId, alert('before'))
  await vi.waitFor(() => expect(shown).toEqual(['before']), { timeout: 10_000 })

  service.disconnect()
  for (let i = 0; i < missed; i += 10) {
    const batch = Array.from({ length: Math.min(10, missed - i) }, (_, j) => `missed-${i + j}`)
    await Promise.all(batch.map((title) => publisher.sendAlertNotification(userId, alert(title))))
  }
  await vi.waitFor(() => expect(desk.shown).toHaveLength(missed + 1), { timeout: 30_000, interval: 50 })
  desk.service.disconnect()

  service.connect()
  const liveTitles: string[] = []
  for (let i = 0; i < live; i++) {
    liveTitles.push(`live-${i}`)
    await Promise.all([
      publisher.sendAlertNotification(userId, alert(`live-${i}`)),
      new Promise((resolve) => setTimeout(resolve, 50)),
    ])
  }
  const expected = ['before', ...Array.from({ length: missed }, (_, i) => `missed-${i}`), ...liveTitles]
  await vi.waitFor(() => expect(new Set(shown).size).toBe(expected.length), {
    timeout: 30_000,
    interval: 100,
  })
  service.disconnect()
  return { shown, expected }
}

describe('A long absence on npm start', () => {
  it.each([150, 250])(
    'shows each of %i missed alerts and the live ones once, paging through history',
    async (missed) => {
      const { shown, expected } = await awayAndBack(missed, 40)

      expect(shown.toSorted()).toEqual(expected.toSorted())
    },
    90_000,
  )
})
