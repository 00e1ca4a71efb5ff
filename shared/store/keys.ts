import type { Scope } from '../protocol/audience.js'
import type { LogFilters } from '../protocol/frames.js'
import type { LogEvent } from '../protocol/notifications.js'
import type { Topic } from '../protocol/topics.js'

export interface ItemKey {
  pk: string
  sk: string
}

// Values are URI-encoded so a `#` in a user id or source cannot forge another partition, and an
// unset log filter field is the empty string, which no set value can be (they are non-empty).
const part = (value: string | undefined): string => (value === undefined ? '' : encodeURIComponent(value))

export const connectionKey = (connectionId: string): ItemKey => ({ pk: `conn#${connectionId}`, sk: 'meta' })

// A tenant prefix, so a single-tenant deployment's keys stay exactly as they were (no migration).
const scoped = (scope: Scope, key: string): string =>
  scope.tenant === undefined ? key : `tenant#${part(scope.tenant)}#${key}`

export const userPartition = (userId: string, scope: Scope = {}): string =>
  scoped(scope, `user#${part(userId)}`)

/** Every connection on a notification topic (alerts, system, uploads), in one of its shards. */
export const notificationPartition = (shard: number, scope: Scope = {}): string =>
  scoped(scope, `notifications#${shard}`)

export const groupPartition = (group: string, shard: number, scope: Scope = {}): string =>
  scoped(scope, `group#${part(group)}#${shard}`)

export const logPartition = (filters: LogFilters, shard: number, scope: Scope = {}): string =>
  scoped(scope, `logs#${part(filters.level)}#${part(filters.source)}#${part(filters.environment)}#${shard}`)

/** History partitions: a user's own notifications, a group's, and a topic's broadcasts. */
export const historyPartition = {
  user: userPartition,
  group: (group: string, scope: Scope = {}): string => scoped(scope, `group#${part(group)}`),
  topic: (topic: Topic, scope: Scope = {}): string => scoped(scope, `topic#${topic}`),
  /** A user's inbox state: what they read and dismissed (docs/how-it-works.md, Inbox state). */
  inbox: (userId: string, scope: Scope = {}): string => scoped(scope, `inbox#${part(userId)}`),
}

/** FNV-1a: a stable, well-spread shard for a connection id, the same in every process. */
export function shardOf(connectionId: string, shards: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < connectionId.length; i++) {
    hash ^= connectionId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % shards
}

/**
 * Every filter a subscriber could have stored that this log matches: each of level, source and
 * environment either set to the log's value or unset. Eight combinations at most, fewer when the
 * log lacks a field (a subscriber filtering on a field the log lacks does not match).
 */
export function matchingFilters(log: Pick<LogEvent, 'level' | 'source' | 'environment'>): LogFilters[] {
  const levels = [undefined, log.level]
  const sources = log.source === undefined ? [undefined] : [undefined, log.source]
  const environments = log.environment === undefined ? [undefined] : [undefined, log.environment]
  const combos: LogFilters[] = []
  for (const level of levels)
    for (const source of sources)
      for (const environment of environments) combos.push({ level, source, environment })
  return combos
}

export const shardRange = (shards: number): number[] => Array.from({ length: shards }, (_, shard) => shard)
