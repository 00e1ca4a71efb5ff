import * as v from 'valibot'
import { chunk } from '../chunk.js'
import type { Recipient } from '../store/index-queries.js'

/**
 * One unit of work for a delivery worker: the envelope to post and up to a few hundred recipients,
 * small enough for one SQS message (256 KB). Recipients are kept compact: they are most of it.
 */
export const DeliveryBatchSchema = v.object({
  /** The serialized envelope, posted as is. */
  payload: v.string(),
  /** [connectionId, userId, index pk, index sk] per recipient. */
  recipients: v.array(v.tuple([v.string(), v.string(), v.string(), v.string()])),
  /** How many times these recipients were already tried (throttled past the deadline). */
  attempt: v.number(),
})
export type DeliveryBatch = v.InferOutput<typeof DeliveryBatchSchema>

const SQS_MAX_BYTES = 256 * 1024

export const toCompact = (r: Recipient): DeliveryBatch['recipients'][number] => [
  r.connectionId,
  r.userId,
  r.key.pk,
  r.key.sk,
]
export const fromCompact = ([
  connectionId,
  userId,
  pk,
  sk,
]: DeliveryBatch['recipients'][number]): Recipient => ({
  connectionId,
  userId,
  key: { pk, sk },
})

/**
 * Splits recipients into batches of at most `size`, cutting earlier where the message would pass
 * SQS's 256 KB (the payload rides in every batch).
 */
export function planBatches(
  recipients: readonly Recipient[],
  payload: string,
  size: number,
  attempt = 0,
): DeliveryBatch[] {
  // The payload is JSON-escaped inside the message; 1 KB covers the rest of the envelope.
  const maxBytes = SQS_MAX_BYTES - Buffer.byteLength(JSON.stringify(payload)) - 1024
  const runs = chunk(recipients.map(toCompact), size, {
    maxBytes,
    bytesOf: (compact) => Buffer.byteLength(JSON.stringify(compact)) + 1,
  })
  return runs.map((run) => ({ payload, recipients: run, attempt }))
}

/** Where the planner hands batches to the workers: an SQS queue on AWS and in the local twin. */
export interface DeliveryQueue {
  send(batches: readonly DeliveryBatch[], delaySeconds?: number): Promise<void>
}
