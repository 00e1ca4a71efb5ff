import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { DEFAULTS } from '../defaults.js'
import type { NotificationEnvelope } from '../protocol/frames.js'
import type { Topic } from '../protocol/topics.js'
import { historyPartition } from './keys.js'
import { liveItemsFilter, queryPages } from './query-pages.js'

export interface HistoryStoreOptions {
  client: DynamoDBDocumentClient
  tableName: string
  /** How long a notification can be resumed. @default DEFAULTS.historySeconds (24 h) */
  retentionSeconds?: number
  now?: () => number
}

/** Where a notification was published to; no tenant means the unscoped keys (docs/architecture.md). */
export interface HistoryTarget {
  topic: Topic
  tenant?: string | undefined
  userId?: string | undefined
  group?: string | undefined
}

export interface MissedQuery {
  userId: string
  /** The connection's tenant and groups: it is shown what it could have received live. */
  tenant?: string | undefined
  groups?: readonly string[] | undefined
  topics: readonly Topic[]
  /** The last id the client saw; without it, the most recent notifications. */
  since?: string
  limit: number
}

export interface Missed {
  /** Oldest first. */
  envelopes: NotificationEnvelope[]
  /** More were missed than `limit`: resume again from the last one returned. */
  more: boolean
}

interface HistoryItem {
  pk: string
  sk: string
  topic: Topic
  envelope: string
  /** An upload's statuses are one inbox item: counted, read and shown by their latest. */
  uploadId?: string
  expiresAt: number
}

// Only notifications a user can miss are kept: their own, their groups', and broadcasts on these topics.
const BROADCAST_HISTORY_TOPICS: readonly Topic[] = ['alerts', 'system']

function partitionOf(target: HistoryTarget): string | undefined {
  const scope = { tenant: target.tenant }
  if (target.userId !== undefined) return historyPartition.user(target.userId, scope)
  if (target.group !== undefined) return historyPartition.group(target.group, scope)
  return BROADCAST_HISTORY_TOPICS.includes(target.topic)
    ? historyPartition.topic(target.topic, scope)
    : undefined
}

/** Every partition a connection could have received from live: the mirror of the fan-out's lookups. */
function partitionsOf(query: Omit<MissedQuery, 'since' | 'limit'>): string[] {
  const own = { tenant: query.tenant }
  const broadcastScopes = query.tenant === undefined ? [own] : [own, {}]
  return [
    historyPartition.user(query.userId, own),
    ...(query.groups ?? []).map((group) => historyPartition.group(group, own)),
    ...BROADCAST_HISTORY_TOPICS.filter((topic) => query.topics.includes(topic)).flatMap((topic) =>
      broadcastScopes.map((scope) => historyPartition.topic(topic, scope)),
    ),
  ]
}

/**
 * Notifications kept for a bounded time so `resume` and the NotificationCenter can show what was
 * missed. Sorted by envelope id (a ULID), so "since" is a key condition, not a filter.
 */
export class HistoryStore {
  readonly #client: DynamoDBDocumentClient
  readonly #table: string
  readonly #retentionSeconds: number
  readonly #now: () => number

  constructor(options: HistoryStoreOptions) {
    this.#client = options.client
    this.#table = options.tableName
    this.#retentionSeconds = options.retentionSeconds ?? DEFAULTS.historySeconds
    this.#now = options.now ?? Date.now
  }

  /** Keeps a notification; writing the same envelope twice is harmless. */
  async record(envelope: NotificationEnvelope, target: HistoryTarget): Promise<void> {
    const pk = partitionOf(target)
    if (pk === undefined) return
    const item: HistoryItem = {
      pk,
      sk: envelope.id,
      topic: target.topic,
      envelope: JSON.stringify(envelope),
      ...(envelope.type === 'upload_status' ? { uploadId: envelope.data.upload_id } : {}),
      expiresAt: Math.floor(this.#now() / 1000) + this.#retentionSeconds,
    }
    await this.#client.send(new PutCommand({ TableName: this.#table, Item: item }))
  }

  /** What a user missed on `topics`: their own, their groups' and broadcasts merged, oldest first, at most `limit`. */
  async missed(query: MissedQuery): Promise<Missed> {
    if (query.topics.length === 0) return { envelopes: [], more: false }
    const newestFirst = query.since === undefined
    const pages = await Promise.all(
      partitionsOf(query).map((pk) =>
        this.#read(pk, query.topics, { after: query.since, newestFirst, limit: query.limit + 1 }),
      ),
    )
    const merged = pages.flat().sort(byId)
    if (newestFirst) merged.reverse()
    const taken = merged.slice(0, query.limit)
    if (newestFirst) taken.reverse()
    return {
      envelopes: taken.map((item) => JSON.parse(item.envelope as string) as NotificationEnvelope),
      more: merged.length > query.limit,
    }
  }

  /**
   * The ids (and upload ids) of what a user could have received newer than `after`, newest first,
   * at most `limit` per partition: what an unread count needs, without the notifications themselves.
   */
  async headers(query: Omit<MissedQuery, 'since' | 'limit'>, after: string | undefined, limit: number) {
    if (query.topics.length === 0) return []
    const pages = await Promise.all(
      partitionsOf(query).map((pk) =>
        this.#read(pk, query.topics, { after, newestFirst: true, limit, headersOnly: true }),
      ),
    )
    return pages
      .flat()
      .sort(byId)
      .reverse()
      .map((item) => ({ id: item.sk, ...(item.uploadId === undefined ? {} : { uploadId: item.uploadId }) }))
  }

  async #read(
    pk: string,
    topics: readonly Topic[],
    range: { after: string | undefined; newestFirst: boolean; limit: number; headersOnly?: boolean },
  ): Promise<(Partial<HistoryItem> & Pick<HistoryItem, 'sk'>)[]> {
    const filter = liveItemsFilter(Math.floor(this.#now() / 1000))
    const values: Record<string, unknown> = { ...filter.values, ':pk': pk }
    topics.forEach((topic, i) => {
      values[`:t${i}`] = topic
    })
    if (range.after !== undefined) values[':after'] = range.after
    const { items } = await queryPages<HistoryItem>(
      this.#client,
      {
        TableName: this.#table,
        KeyConditionExpression: range.after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        FilterExpression: `${filter.FilterExpression} AND topic IN (${topics.map((_, i) => `:t${i}`).join(', ')})`,
        ExpressionAttributeValues: values,
        ScanIndexForward: !range.newestFirst,
        ...(range.headersOnly ? { ProjectionExpression: 'sk, uploadId' } : {}),
      },
      range.limit,
    )
    return items
  }
}

const byId = (a: { sk: string }, b: { sk: string }) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0)
