import { describe, expect, it } from 'vitest'
import { type DeliveryBatch, fromCompact, planBatches } from '../../shared/fan-out/delivery-batch.js'
import { deliverBatch } from '../../shared/fan-out/delivery-worker.js'
import type { Recipient } from '../../shared/store/index-queries.js'
import { RecordingPoster } from '../support/recording-poster.js'

const recipients = (n: number, userId = 'u'): Recipient[] =>
  Array.from({ length: n }, (_, i) => ({
    connectionId: `c${i}`,
    userId,
    key: { pk: 'topic#alerts#0', sk: `c${i}` },
  }))

describe('Function: planBatches', () => {
  it('splits recipients into batches of the given size, keeping every recipient once', () => {
    const batches = planBatches(recipients(1001), '{"id":"x"}', 500)
    expect(batches.map((b) => b.recipients.length)).toEqual([500, 500, 1])
    expect(batches.flatMap((b) => b.recipients.map(fromCompact))).toEqual(recipients(1001))
    expect(batches.every((b) => b.attempt === 0 && b.payload === '{"id":"x"}')).toBe(true)
  })

  it('cuts batches earlier so a message with a large payload stays under 256 KB', () => {
    // An envelope near API Gateway's 128 KB limit, and the longest user ids.
    const payload = JSON.stringify({ data: 'x'.repeat(125_000) })
    const batches = planBatches(recipients(3000, 'u'.repeat(256)), payload, 500)
    for (const batch of batches)
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(256 * 1024)
    expect(batches.reduce((n, b) => n + b.recipients.length, 0)).toBe(3000)
    expect(batches[0]?.recipients.length).toBeLessThan(500)
  })
})

describe('Function: deliverBatch', () => {
  const queued: { batches: readonly DeliveryBatch[]; delay?: number }[] = []
  const queue = {
    send: async (batches: readonly DeliveryBatch[], delay?: number) => void queued.push({ batches, delay }),
  }
  const connections = { remove: async () => {} } as never

  it('re-queues only the recipients still failing, one attempt later and delayed', async () => {
    queued.length = 0
    const poster = new RecordingPoster()
    const failing = new Set(['c1', 'c3'])
    const flaky = {
      ...poster,
      post: async (id: string, data: string) =>
        failing.has(id) ? Promise.reject(new Error('socket hang up')) : poster.post(id, data),
      close: poster.close,
    }
    const [batch] = planBatches(recipients(4), '{"id":"e"}', 10)

    const outcome = await deliverBatch(
      { connections, poster: flaky, queue, delivery: { deadlineMs: 1, baseDelayMs: 5 } },
      batch as DeliveryBatch,
    )

    expect(outcome).toMatchObject({ requeued: 2, failed: false })
    expect(queued).toHaveLength(1)
    expect(queued[0]?.delay).toBe(1)
    expect(queued[0]?.batches[0]?.attempt).toBe(1)
    // Retries finish in jittered order, so the set is what matters.
    const requeued = queued[0]?.batches[0]?.recipients.map(fromCompact).map((r) => r.connectionId)
    expect(requeued?.sort()).toEqual(['c1', 'c3'])
  })

  it('fails the batch once its recipients have had every attempt', async () => {
    queued.length = 0
    const refusing = { post: async () => Promise.reject(new Error('down')), close: async () => {} }
    const [batch] = planBatches(recipients(2), '{}', 10, 4)

    const outcome = await deliverBatch(
      { connections, poster: refusing, queue, maxAttempts: 5, delivery: { deadlineMs: 1 } },
      batch as DeliveryBatch,
    )

    expect(outcome.failed).toBe(true)
    expect(queued).toEqual([])
  })
})
