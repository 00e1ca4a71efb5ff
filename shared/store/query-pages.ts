import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'

export interface QueryResult<T> {
  /** Items that passed the filter; empty for `Select: 'COUNT'`. */
  items: T[]
  /** How many passed the filter, counted by DynamoDB (what `Select: 'COUNT'` returns). */
  count: number
  /** Items DynamoDB read (and bills) to answer, filtered ones included. */
  itemsRead: number
}

/**
 * Runs a Query to the end, page by page, or until `limit` items passed the filter. Every query in
 * Herald goes through here so that no page is ever forgotten and the read cost is always counted.
 */
export async function queryPages<T>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit = Number.POSITIVE_INFINITY,
): Promise<QueryResult<T>> {
  const items: T[] = []
  let itemsRead = 0
  let count = 0
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))
    itemsRead += page.ScannedCount ?? 0
    count += page.Count ?? 0
    for (const item of page.Items ?? []) {
      items.push(item as T)
      if (items.length >= limit) return { items, count: items.length, itemsRead }
    }
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return { items, count, itemsRead }
}

/** The part of a Query that hides items past their TTL, which DynamoDB may keep for a while. */
export function liveItemsFilter(nowSeconds: number): Pick<QueryCommandInput, 'FilterExpression'> & {
  values: Record<string, unknown>
} {
  return {
    FilterExpression: 'expiresAt > :now AND attribute_not_exists(removed)',
    values: { ':now': nowSeconds },
  }
}
