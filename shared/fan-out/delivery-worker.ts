import { DEFAULTS } from '../defaults.js'
import { type DeliveryBatch, type DeliveryQueue, fromCompact, planBatches } from './delivery-batch.js'
import { type DeliveryDeps, deliverToRecipients } from './fan-out.js'
import type { DeliveryReport } from './post-to-recipients.js'

export interface WorkerDeps extends DeliveryDeps {
  queue: DeliveryQueue
  /** Tries per recipient before its batch is failed (and, after SQS's redrive, dead-lettered). @default DEFAULTS.deliveryMaxAttempts */
  maxAttempts?: number
}

export interface BatchOutcome {
  report: DeliveryReport
  /** Recipients put back on the queue for a later try. */
  requeued: number
  /** The batch should be reported as failed, so SQS redrives it toward the dead-letter queue. */
  failed: boolean
}

/**
 * Delivers one batch. Recipients still throttled at the deadline are never dropped: they go back
 * on the queue on their own, delayed a little more each time, until `maxAttempts`.
 */
export async function deliverBatch(deps: WorkerDeps, batch: DeliveryBatch): Promise<BatchOutcome> {
  const report = await deliverToRecipients(deps, batch.recipients.map(fromCompact), batch.payload)
  if (report.exhausted.length === 0) return { report, requeued: 0, failed: false }
  if (batch.attempt + 1 >= (deps.maxAttempts ?? DEFAULTS.deliveryMaxAttempts))
    return { report, requeued: 0, failed: true }
  const retry = planBatches(report.exhausted, batch.payload, batch.recipients.length, batch.attempt + 1)
  await deps.queue.send(retry, Math.min(2 ** batch.attempt, 30))
  return { report, requeued: report.exhausted.length, failed: false }
}
