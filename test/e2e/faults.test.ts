import { describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { WebSocketService } from '../../client/websocket-service.js'
import type { FrameSource, WebSocketConstructor } from '../../client/websocket-types.js'
import type { Envelope } from '../../shared/protocol/frames.js'
import { snsEvent } from '../support/events.js'
import { withLocalStack } from '../support/local-stack.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

// Audiences over 10 go through the queue, so faults hit the planner and the workers alike.
const herald = withLocalStack({
  env: { HERALD_FANOUT_BATCH_THRESHOLD: '10', HERALD_FANOUT_BATCH_SIZE: '7' },
  lambda: { retryDelaysMs: [300, 600] },
})

const crowd = (prefix: string, size: number) =>
  Promise.all(Array.from({ length: size }, (_, i) => herald.connect(`${prefix}-${i}`)))
const storedIds = async () => new Set((await herald.storedItems()).map((item) => item.connectionId))

describe('Faults', () => {
  it('survives a Gone storm: half the sockets dead without $disconnect during a broadcast', async () => {
    const clients = await crowd('storm', 40)
    // Every welcome has finished, so each connection is known to be open: a 410 now means gone.
    await herald.stack.idle()
    const dead = clients.filter((_, i) => i % 2 === 0)
    for (const client of dead) herald.stack.gateway.drop(client.connectionId, { skipDisconnect: true })
    const before = herald.stack.sqs.stats.sent

    await herald.publisher.sendSystemNotification({ title: 'storm', message: '' })
    await herald.stack.idle()
    const live = clients.filter((_, i) => i % 2 === 1)
    await Promise.all(live.map((client) => client.caughtUp()))

    // Forty recipients, seven a batch: the workers delivered it, through six queue messages.
    expect(herald.stack.sqs.stats.sent - before).toBe(6)

    for (const client of live) expect(client.received('system')).toHaveLength(1)
    const stored = await storedIds()
    expect(dead.filter((client) => stored.has(client.connectionId))).toEqual([])
    for (const client of clients) client.close()
  })

  it.each([
    [500, 3],
    [429, 4],
  ])('delivers exactly once when the Management API answers %s to one post in %s', async (status, every) => {
    const clients = await crowd(`flaky-${status}`, 30)
    herald.stack.gateway.injectFaults({ status, every })
    const before = herald.stack.sqs.stats.sent

    await herald.publisher.sendSystemNotification({ title: `through ${status}s`, message: '' })
    await herald.stack.idle()
    herald.stack.gateway.injectFaults(undefined)
    await Promise.all(clients.map((client) => client.caughtUp()))

    expect(clients.map((client) => client.received('system').length)).toEqual(clients.map(() => 1))
    // Thirty recipients, seven a batch: through the queue, in at least five messages.
    expect(herald.stack.sqs.stats.sent - before).toBeGreaterThanOrEqual(5)
    for (const client of clients) client.close()
  })

  it('refuses a connection while DynamoDB is down, storing nothing, and accepts it once it is back', async () => {
    herald.stack.dynamo.pause()
    const refused = await TestClient.open(
      `${herald.stack.websocketUrl}/?token=${await herald.token('outage')}`,
    )
    herald.stack.dynamo.resume()

    expect((refused as Refusal).status).toBe(500)
    expect((await herald.storedItems()).filter((item) => item.userId === 'outage')).toEqual([])
    const accepted = await herald.connect('outage')
    expect(accepted.connectionId).toBeTruthy()
    accepted.close()
  })

  it('delivers a notification published while DynamoDB is down, once Lambda retries the fan-out', async () => {
    const client = await herald.connect('patient')
    const retries = herald.stack.lambda.stats.retries
    herald.stack.dynamo.pause()

    await herald.publisher.sendAlertNotification('patient', {
      severity: 'high',
      title: 'during the outage',
      message: '',
    })
    // The fan-out failed against the outage and Lambda is retrying it: now DynamoDB comes back.
    await vi.waitFor(() => expect(herald.stack.lambda.stats.retries).toBeGreaterThan(retries))
    expect(client.received('alert')).toEqual([])
    herald.stack.dynamo.resume()
    await herald.stack.idle()

    await vi.waitFor(() => expect(client.received('alert')).toHaveLength(1))
    client.close()
  })

  it('shows a client each notification once when a fan-out is run again after a partial run', async () => {
    const seen: { frame: Envelope; source: FrameSource }[] = []
    const service = new WebSocketService({
      url: herald.stack.websocketUrl,
      getToken: () => herald.token('retried'),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      onMessage: (frame, source) => seen.push({ frame, source }),
    })
    const raw = await herald.connect('retried')
    service.connect()
    await vi.waitFor(() => expect(service.isConnected).toBe(true))
    const event = snsEvent({
      message: JSON.stringify({
        type: 'alert',
        userId: 'retried',
        data: { severity: 'low', title: 'once', message: '' },
      }),
      messageId: 'sns-retried-1',
    })

    // As SNS would after a fan-out that failed part-way: the very same message, twice.
    await herald.stack.lambda.invoke('herald-fanout', event)
    await herald.stack.lambda.invoke('herald-fanout', event)
    await herald.stack.idle()

    await vi.waitFor(() => expect(raw.received('alert')).toHaveLength(2))
    const [first, second] = raw.received('alert')
    expect(first?.id).toBe(second?.id)
    expect(seen.filter((s) => s.frame.type === 'alert')).toHaveLength(1)
    service.disconnect()
    raw.close()
  })
})
