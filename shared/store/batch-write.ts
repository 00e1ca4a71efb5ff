import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb'

export type WriteRequest = { PutRequest: { Item: object } } | { DeleteRequest: { Key: object } }
type SdkRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string]

const MAX_PER_CALL = 25
const MAX_ROUNDS = 8

/**
 * Writes every request with BatchWriteItem (25 a call, calls in parallel), retrying what DynamoDB
 * leaves unprocessed under throttling with a growing pause, as AWS advises.
 */
export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  const chunks: WriteRequest[][] = []
  for (let i = 0; i < requests.length; i += MAX_PER_CALL) chunks.push(requests.slice(i, i + MAX_PER_CALL))
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk
      for (let round = 0; pending.length > 0; round++) {
        if (round === MAX_ROUNDS)
          throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${MAX_ROUNDS} tries`)
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round * Math.random()))
        const { UnprocessedItems } = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as SdkRequests } }),
        )
        pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[]
      }
    }),
  )
}
