import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Scope } from '../protocol/audience.js'
import type { Connection } from './connection-store.js'
import { groupPartition, type ItemKey, logPartition, shardOf, topicPartition, userPartition } from './keys.js'

// A type alias, not an interface, so it can be written as a plain DynamoDB item.
export type IndexItem = ItemKey & {
  connectionId: string
  userId: string
  version: number
  expiresAt: number
  removed?: true
}

/**
 * Every key a connection is found under: its user (counted, and per topic), its topics' shards,
 * its log filter, and each of its groups per topic, all within its tenant. A tenant's connection
 * is also under the unscoped topic and log keys, which a `"*"` publish reads; its user and group
 * keys are never unscoped, so a user id or group name means nothing across tenants.
 */
export function indexKeys(connection: Connection, shards: number): ItemKey[] {
  const shard = shardOf(connection.connectionId, shards)
  const sk = connection.connectionId
  const own: Scope = { tenant: connection.tenant }
  const broadcastScopes: Scope[] = connection.tenant === undefined ? [own] : [own, {}]
  const user = userPartition(connection.userId, own)
  // One item per connection under its user, whatever its topics, to count a user's connections.
  const keys: ItemKey[] = [{ pk: user, sk: `conn#${sk}` }]
  for (const topic of connection.topics) {
    keys.push({ pk: user, sk: `${topic}#${sk}` })
    for (const scope of broadcastScopes) {
      keys.push({
        pk:
          topic === 'logs'
            ? logPartition(connection.filters, shard, scope)
            : topicPartition(topic, shard, scope),
        sk,
      })
    }
    // Log events go by filter, never to a group.
    if (topic === 'logs') continue
    for (const group of connection.groups ?? [])
      keys.push({ pk: groupPartition(group, shard, own), sk: `${topic}#${sk}` })
  }
  return keys
}

/** The index items `next` needs, and tombstones for the keys `previous` had that `next` drops. */
export function indexItems(previous: Connection | undefined, next: Connection, shards: number): IndexItem[] {
  const base = {
    connectionId: next.connectionId,
    userId: next.userId,
    version: next.version,
    expiresAt: next.expiresAt,
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
