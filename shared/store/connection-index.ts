import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Scope } from '../protocol/audience.js'
import type { InboxPreferences } from '../protocol/preference-rules.js'
import type { Topic } from '../protocol/topics.js'
import type { Connection } from './connection-store.js'
import {
  groupPartition,
  type ItemKey,
  logPartition,
  notificationPartition,
  shardOf,
  userPartition,
} from './keys.js'

// A type alias, not an interface, so it can be written as a plain DynamoDB item.
export type IndexItem = ItemKey & {
  connectionId: string
  userId: string
  version: number
  expiresAt: number
  /** The connection's topics: a reader filters on them, so one item serves every topic. */
  topics: Topic[]
  /** The user's inbox preferences, so the fan-out applies them to the items it reads anyway. */
  preferences?: InboxPreferences
  removed?: true
}

/**
 * Every key a connection is found under, one item each whatever its topics (a connect writes
 * them, a disconnect deletes them, so each is a write unit twice per connection): its user (to
 * count a user's connections and to reach them), its shard of the notification topics, its log
 * filter's shard, and each of its groups, all within its tenant. A reader keeps the items whose
 * `topics` hold the topic it wants; a notifications connection holds all three by default, so a
 * broadcast reads about one item per recipient. A tenant's connection is also under the unscoped
 * notification and log keys, which a `"*"` publish reads; its user and group keys are never
 * unscoped, so a user id or group name means nothing across tenants.
 */
export function indexKeys(connection: Connection, shards: number): ItemKey[] {
  const shard = shardOf(connection.connectionId, shards)
  const sk = connection.connectionId
  const own: Scope = { tenant: connection.tenant }
  const broadcastScopes: Scope[] = connection.tenant === undefined ? [own] : [own, {}]
  const notified = connection.topics.some((topic) => topic !== 'logs')
  const keys: ItemKey[] = [{ pk: userPartition(connection.userId, own), sk: `conn#${sk}` }]
  for (const scope of broadcastScopes) {
    if (notified) keys.push({ pk: notificationPartition(shard, scope), sk })
    if (connection.topics.includes('logs'))
      keys.push({ pk: logPartition(connection.filters, shard, scope), sk })
  }
  // Log events go by filter, never to a group.
  if (notified)
    for (const group of connection.groups ?? []) keys.push({ pk: groupPartition(group, shard, own), sk })
  return keys
}

/** The index items `next` needs, and tombstones for the keys `previous` had that `next` drops. */
export function indexItems(previous: Connection | undefined, next: Connection, shards: number): IndexItem[] {
  const base = {
    connectionId: next.connectionId,
    userId: next.userId,
    version: next.version,
    expiresAt: next.expiresAt,
    topics: next.topics,
    ...(next.preferences === undefined ? {} : { preferences: next.preferences }),
  }
  const nextKeys = indexKeys(next, shards)
  const id = (key: ItemKey) => `${key.pk}|${key.sk}`
  const kept = new Set(nextKeys.map(id))
  const dropped = previous ? indexKeys(previous, shards).filter((key) => !kept.has(id(key))) : []
  return [
    ...nextKeys.map((key) => ({ ...key, ...base })),
    ...dropped.map((key) => ({ ...key, ...base, removed: true as const })),
  ]
}

/** Writes an index item unless a newer version of the connection already wrote that key. */
export async function putIfNewer(
  client: DynamoDBDocumentClient,
  table: string,
  item: IndexItem,
): Promise<void> {
  try {
    await client.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
        ExpressionAttributeValues: { ':version': item.version },
      }),
    )
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error
  }
}
