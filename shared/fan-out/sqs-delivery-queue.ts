import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { chunk } from '../chunk.js'
import { ServiceError } from '../errors.js'
import type { DeliveryBatch, DeliveryQueue } from './delivery-batch.js'

const MAX_ENTRIES = 10
const MAX_REQUEST_BYTES = 256 * 1024

/** Delivery batches as SQS messages: up to 10 a request and 256 KB in total, requests in parallel. */
export function sqsDeliveryQueue(client: SQSClient, queueUrl: string): DeliveryQueue {
  return {
    async send(batches, delaySeconds) {
      const bodies = batches.map((batch: DeliveryBatch) => JSON.stringify(batch))
      const requests = chunk(bodies, MAX_ENTRIES, { maxBytes: MAX_REQUEST_BYTES, bytesOf: Buffer.byteLength })
      await Promise.all(
        requests.map(async (bodies) => {
          const { Failed } = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: bodies.map((MessageBody, i) => ({
                Id: String(i),
                MessageBody,
                DelaySeconds: delaySeconds,
              })),
            }),
          )
          if (Failed?.length)
            throw new ServiceError(
              `SQS refused ${Failed.length} delivery batches: ${Failed[0]?.Message ?? Failed[0]?.Code}`,
            )
        }),
      )
    },
  }
}
