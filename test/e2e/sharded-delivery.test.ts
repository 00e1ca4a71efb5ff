import { describe, expect, it } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import type { TestClient } from '../support/ws-client.js'

/** Audiences over 3 go through the queue, 2 recipients a batch, to 2 worker threads. */
const herald = withLocalStack({
  env: { HERALD_FANOUT_BATCH_THRESHOLD: '3', HERALD_FANOUT_BATCH_SIZE: '2' },
  deliveryWorkers: 2,
})

async function crowd(prefix: string, size: number): Promise<TestClient[]> {
  return Promise.all(Array.from({ length: size }, (_, i) => herald.connect(`${prefix}-${i}`)))
}

describe('Sharded delivery through the queue and worker threads', () => {
  it('delivers a broadcast to a large audience exactly once per socket', async () => {
    const clients = await crowd('wide', 7)
    const before = { ...herald.stack.sqs.stats }

    await herald.publisher.sendSystemNotification({ title: 'to everyone', message: '' })
    await herald.stack.idle()

    // Seven recipients, two a batch: four batches through the queue, each handed to a worker.
    expect(herald.stack.sqs.stats.sent - before.sent).toBe(4)
    expect(herald.stack.sqs.stats.invocations - before.invocations).toBeGreaterThanOrEqual(1)

    for (const client of clients)
      expect(client.received('system').map((f) => (f.data as { title: string }).title)).toEqual([
        'to everyone',
      ])
    expect(herald.stack.sqs.deadLetters).toEqual([])
    for (const client of clients) client.close()
  })

  it('lets the workers clean up connections that are gone', async () => {
    const clients = await crowd('stale', 6)
    const [lost1, lost2] = clients
    for (const lost of [lost1, lost2] as TestClient[])
      herald.stack.gateway.drop(lost.connectionId, { skipDisconnect: true })
    await herald.stack.idle()

    await herald.publisher.sendSystemNotification({ title: 'after a crash', message: '' })
    await herald.stack.idle()

    const stored = (await herald.storedItems()).map((item) => item.connectionId)
    expect(stored).not.toContain(lost1?.connectionId)
    expect(stored).not.toContain(lost2?.connectionId)
    for (const client of clients.slice(2)) expect(client.received('system')).toHaveLength(1)
    for (const client of clients) client.close()
  })
})

describe('Throttled deliveries are retried, never dropped', () => {
  // A Management API allowing 20 posts/s (burst 5), and a deadline too short to wait that out.
  const throttled = withLocalStack({
    gateway: { throttle: { rate: 20, burst: 5 } },
    env: {
      HERALD_FANOUT_BATCH_THRESHOLD: '3',
      HERALD_FANOUT_BATCH_SIZE: '4',
      HERALD_DELIVERY_DEADLINE_MS: '100',
    },
  })

  it('re-queues the recipients still throttled at the deadline until every socket has it', async () => {
    const clients = await Promise.all(Array.from({ length: 24 }, (_, i) => throttled.connect(`slow-${i}`)))
    const before = { ...throttled.stack.sqs.stats }

    await throttled.publisher.sendSystemNotification({ title: 'eventually', message: '' })
    await throttled.stack.idle()

    expect(clients.map((client) => client.received('system').length)).toEqual(clients.map(() => 1))
    expect(throttled.stack.gateway.stats.throttled).toBeGreaterThan(0)
    // Six batches of four, and re-queued ones on top: more than six messages went through the queue.
    expect(throttled.stack.sqs.stats.sent - before.sent).toBeGreaterThan(6)
    expect(throttled.stack.sqs.deadLetters).toEqual([])
    for (const client of clients) client.close()
  }, 30_000)
})
