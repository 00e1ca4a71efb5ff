import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { IndexItem } from './connection-index.js'
import type { ItemKey } from './keys.js'
import { liveItemsFilter, queryPages } from './query-pages.js'

export interface Recipient {
  connectionId: string
  userId: string
  /** The index item the recipient was found through, so a stale one can be deleted exactly. */
  key: ItemKey
}

export interface RecipientLookup {
  recipients: Recipient[]
  itemsRead: number
}

/** One key range of the index: a partition, or the part of it whose sort keys start with `prefix`. */
export interface IndexRange {
  pk: string
  prefix?: string
}

interface Reader {
  client: DynamoDBDocumentClient
  table: string
  nowSeconds: number
}

function rangeQuery(reader: Reader, range: IndexRange) {
  const filter = liveItemsFilter(reader.nowSeconds)
  return {
    TableName: reader.table,
    KeyConditionExpression: range.prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: filter.FilterExpression,
    ExpressionAttributeValues: {
      ...filter.values,
      ':pk': range.pk,
      ...(range.prefix === undefined ? {} : { ':prefix': range.prefix }),
    },
  }
}

/**
 * The live connections under these ranges, read in parallel, each connection once. Every range
 * holds only connections the audience includes, so items read equals recipients.
 */
export async function readRanges(reader: Reader, ranges: readonly IndexRange[]): Promise<RecipientLookup> {
  const results = await Promise.all(
    ranges.map((range) => queryPages<IndexItem>(reader.client, rangeQuery(reader, range))),
  )
  const seen = new Set<string>()
  const recipients: Recipient[] = []
  let itemsRead = 0
  for (const result of results) {
    itemsRead += result.itemsRead
    for (const item of result.items) {
      if (seen.has(item.connectionId)) continue
      seen.add(item.connectionId)
      recipients.push({
        connectionId: item.connectionId,
        userId: item.userId,
        key: { pk: item.pk, sk: item.sk },
      })
    }
  }
  return { recipients, itemsRead }
}

/** How many live items one range holds: a count, nothing returned. */
export async function countRange(reader: Reader, range: IndexRange): Promise<number> {
  const { count } = await queryPages(reader.client, { ...rangeQuery(reader, range), Select: 'COUNT' })
  return count
}
