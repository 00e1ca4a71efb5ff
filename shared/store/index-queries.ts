import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { InboxPreferences } from '../protocol/preference-rules.js'
import type { Topic } from '../protocol/topics.js'
import type { IndexItem } from './connection-index.js'
import type { ItemKey } from './keys.js'
import { liveItemsFilter, queryPages } from './query-pages.js'

export interface Recipient {
  connectionId: string
  userId: string
  /** The index item the recipient was found through, so a stale one can be deleted exactly. */
  key: ItemKey
  preferences?: InboxPreferences
}

export interface RecipientLookup {
  recipients: Recipient[]
  itemsRead: number
}

/**
 * One key range of the index: a partition, or the part of it whose sort keys start with `prefix`;
 * with `topics`, only the connections on one of them (DynamoDB still reads, and bills, the rest).
 */
export interface IndexRange {
  pk: string
  prefix?: string
  topics?: readonly Topic[]
}

interface Reader {
  client: DynamoDBDocumentClient
  table: string
  nowSeconds: number
}

function rangeQuery(reader: Reader, range: IndexRange) {
  const filter = liveItemsFilter(reader.nowSeconds)
  const topics = range.topics ?? []
  const onTopics = topics.map((_, i) => `contains(topics, :topic${i})`).join(' OR ')
  return {
    TableName: reader.table,
    KeyConditionExpression: range.prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: onTopics ? `${filter.FilterExpression} AND (${onTopics})` : filter.FilterExpression,
    ExpressionAttributeValues: {
      ...filter.values,
      ':pk': range.pk,
      ...(range.prefix === undefined ? {} : { ':prefix': range.prefix }),
      ...Object.fromEntries(topics.map((topic, i) => [`:topic${i}`, topic])),
    },
  }
}

/**
 * The live connections under these ranges, read in parallel, each connection once. A range holds
 * the audience's connections and, where it filters on topics, connections on other topics of the
 * same stream, which a client rarely unsubscribes from: items read stays about one per recipient.
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
        ...(item.preferences === undefined ? {} : { preferences: item.preferences }),
      })
    }
  }
  return { recipients, itemsRead }
}
