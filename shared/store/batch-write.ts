import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb'
import { withBackoff } from '../backoff.js'
import { chunk } from '../chunk.js'
import { HeraldError } from '../errors.js'

export type WriteRequest = { PutRequest: { Item: object } } | { DeleteRequest: { Key: object } }
type SdkRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string]

const MAX_PER_CALL = 25
const MAX_ROUNDS = 8

/** DynamoDB kept refusing part of a write (throttling outlasted the retries). */
export class StoreError extends HeraldError {
  constructor(message: string) {
    super('store_unavailable', message)
  }
}

/**
 * Writes every request with BatchWriteItem (25 a call, calls in parallel), retrying what DynamoDB
 * leaves unprocessed under throttling with a growing pause, as AWS advises.
 */
export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  await Promise.all(
    chunk(requests, MAX_PER_CALL).map(async (chunk) => {
      let pending = chunk
      const written = await withBackoff(
        async () => {
          const { UnprocessedItems } = await client.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: pending as SdkRequests } }),
          )
          pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[]
          return pending.length === 0 ? { done: true, value: true } : { done: false }
        },
        { baseMs: 50, maxMs: 3_200, attempts: MAX_ROUNDS },
      )
      if (!written)
        throw new StoreError(`DynamoDB left ${pending.length} writes unprocessed after ${MAX_ROUNDS} tries`)
    }),
  )
}
