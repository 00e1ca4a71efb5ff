import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { DeliveryBatch, DeliveryQueue } from './delivery-batch.js'

const MAX_ENTRIES = 10
const MAX_REQUEST_BYTES = 256 * 1024

/** Delivery batches as SQS messages: up to 10 a request and 256 KB in total, requests in parallel. */
export function sqsDeliveryQueue(client: SQSClient, queueUrl: string): DeliveryQueue {
  return {
    async send(batches, delaySeconds) {
      const requests: string[][] = []
      let current: string[] = []
      let bytes = 0
      for (const body of batches.map((batch: DeliveryBatch) => JSON.stringify(batch))) {
        const size = Buffer.byteLength(body)
        if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
          requests.push(current)
          current = []
          bytes = 0
        }
        current.push(body)
        bytes += size
      }
      if (current.length) requests.push(current)
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
            throw new Error(
              `SQS refused ${Failed.length} delivery batches: ${Failed[0]?.Message ?? Failed[0]?.Code}`,
            )
        }),
      )
    },
  }
}
