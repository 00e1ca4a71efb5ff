import type { Connection } from './connection-store.js'
import { type ItemKey, logPartition, shardOf, topicPartition, userPartition } from './keys.js'

// A type alias, not an interface, so it can be written as a plain DynamoDB item.
export type IndexItem = ItemKey & {
  connectionId: string
  userId: string
  version: number
  expiresAt: number
  removed?: true
}

/** Every key a connection is found under: its user (counted, and per topic), its topics' shards, its log filter. */
export function indexKeys(connection: Connection, shards: number): ItemKey[] {
  const shard = shardOf(connection.connectionId, shards)
  const sk = connection.connectionId
  // One item per connection under its user, whatever its topics, to count a user's connections.
  const keys: ItemKey[] = [{ pk: userPartition(connection.userId), sk: `conn#${sk}` }]
  for (const topic of connection.topics) {
    keys.push({ pk: userPartition(connection.userId), sk: `${topic}#${sk}` })
    keys.push({
      pk: topic === 'logs' ? logPartition(connection.filters, shard) : topicPartition(topic, shard),
      sk,
    })
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
