import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import { batchWrite } from '../shared/store/batch-write.js'
import type { TableDefinition } from '../shared/store/tables.js'

/**
 * What DynamoDB's TTL does in the background and dynalite does not: deletes items whose expiry has
 * passed. The stores never depend on it (they filter expired items on read); it only keeps a
 * long-running local stack from growing. Scanning is fine here: it is off the hot path, as TTL is.
 */
export async function sweepExpired(
  client: DynamoDBDocumentClient,
  tables: readonly { name: string; definition: TableDefinition }[],
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<number> {
  let deleted = 0
  for (const { name, definition } of tables) {
    const pages = paginateScan(
      { client },
      {
        TableName: name,
        FilterExpression: '#ttl <= :now',
        ExpressionAttributeNames: {
          '#ttl': definition.ttlAttribute,
          '#pk': definition.partitionKey,
          '#sk': definition.sortKey,
        },
        ExpressionAttributeValues: { ':now': nowSeconds },
        ProjectionExpression: '#pk, #sk',
      },
    )
    for await (const page of pages) {
      const keys = page.Items ?? []
      await batchWrite(
        client,
        name,
        keys.map((Key) => ({ DeleteRequest: { Key } })),
      )
      deleted += keys.length
    }
  }
  return deleted
}
