import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb'
import { chunk } from '../chunk.js'
import { DEFAULTS } from '../defaults.js'
import type { NotificationEnvelope } from '../protocol/frames.js'
import { TOPIC_OF, type Topic } from '../protocol/topics.js'
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
  /** A thread's notifications are one inbox item: counted, read and shown by their latest. */
  thread?: string
  /** Written before threads: an upload's id, which is now its thread `upload:<id>`. */
  uploadId?: string
  /** What a user's preferences are applied to, without reading the envelope. */
  source?: string
  severity?: string
  /** When the notification itself expires (`expiresAt` on a publish), epoch ms. */
  endsAt?: number
  expiresAt: number
}

/** What the inbox needs of a notification to count it: no envelope. */
export interface Header {
  id: string
  topic: Topic
  thread?: string
  source?: string
  severity?: string
}

// `source` is one of DynamoDB's reserved words, so the projection names it through a placeholder.
const HEADER_PROJECTION = {
  ProjectionExpression: 'sk, topic, thread, uploadId, #source, severity',
  ExpressionAttributeNames: { '#source': 'source' },
}
/** BatchGetItem's limit on keys per call. */
const BATCH_GET_KEYS = 100

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
    const { id: _id, topic: _topic, ...fields } = headerOfEnvelope(envelope)
    const ends = envelope.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(envelope.expiresAt)
    const item: HistoryItem = {
      pk,
      sk: envelope.id,
      topic: target.topic,
      envelope: JSON.stringify(envelope),
      ...fields,
      // A notification that expires sooner leaves history then: reads filter on `endsAt` to the
      // millisecond, and DynamoDB's TTL (whole seconds, rounded up) deletes it afterwards.
      expiresAt: Math.min(Math.floor(this.#now() / 1000) + this.#retentionSeconds, Math.ceil(ends / 1000)),
      ...(Number.isFinite(ends) ? { endsAt: ends } : {}),
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
   * The headers of what a user could have received newer than `after`, newest first, at most
   * `limit` per partition: what an unread count needs, without the notifications themselves.
   * `truncated`: some partition had more.
   */
  async headers(
    query: Omit<MissedQuery, 'since' | 'limit'>,
    after: string | undefined,
    limit: number,
  ): Promise<{ headers: Header[]; truncated: boolean }> {
    if (query.topics.length === 0) return { headers: [], truncated: false }
    const pages = await Promise.all(
      partitionsOf(query).map((pk) =>
        this.#read(pk, query.topics, { after, newestFirst: true, limit, headersOnly: true }),
      ),
    )
    return {
      headers: pages.flat().sort(byId).reverse().map(headerOf),
      truncated: pages.some((page) => page.length >= limit),
    }
  }

  /** The notifications with these ids that the user could have received and history still keeps. */
  async find(
    query: Omit<MissedQuery, 'since' | 'limit'>,
    ids: readonly string[],
  ): Promise<NotificationEnvelope[]> {
    const now = this.#now()
    const nowSeconds = Math.floor(now / 1000)
    const keys = partitionsOf(query).flatMap((pk) => [...new Set(ids)].map((sk) => ({ pk, sk })))
    const found: NotificationEnvelope[] = []
    for (const batch of chunk(keys, BATCH_GET_KEYS)) {
      let pending: Record<string, unknown>[] | undefined = batch
      while (pending?.length) {
        const result: BatchGetCommandOutput = await this.#client.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: pending } } }),
        )
        for (const item of (result.Responses?.[this.#table] ?? []) as HistoryItem[])
          if (
            item.expiresAt > nowSeconds &&
            (item.endsAt ?? Number.POSITIVE_INFINITY) > now &&
            query.topics.includes(item.topic)
          )
            found.push(JSON.parse(item.envelope) as NotificationEnvelope)
        pending = result.UnprocessedKeys?.[this.#table]?.Keys
      }
    }
    return found
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
    values[':nowMs'] = this.#now()
    const { items } = await queryPages<HistoryItem>(
      this.#client,
      {
        TableName: this.#table,
        KeyConditionExpression: range.after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        FilterExpression: `${filter.FilterExpression} AND (attribute_not_exists(endsAt) OR endsAt > :nowMs) AND topic IN (${topics.map((_, i) => `:t${i}`).join(', ')})`,
        ExpressionAttributeValues: values,
        ScanIndexForward: !range.newestFirst,
        ...(range.headersOnly ? HEADER_PROJECTION : {}),
      },
      range.limit,
    )
    return items
  }
}

const byId = (a: { sk: string }, b: { sk: string }): number => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0)

/** What the inbox knows of an envelope: its topic, source, severity and thread. */
export function headerOfEnvelope(envelope: NotificationEnvelope): Header {
  const data = envelope.data as { source?: unknown; severity?: unknown }
  const thread =
    envelope.thread?.key ??
    (envelope.type === 'upload_status' ? `upload:${envelope.data.upload_id}` : undefined)
  return {
    id: envelope.id,
    topic: TOPIC_OF[envelope.type],
    ...(thread === undefined ? {} : { thread }),
    ...(typeof data.source === 'string' ? { source: data.source } : {}),
    ...(envelope.type === 'alert' ? { severity: envelope.data.severity } : {}),
  }
}

function headerOf(item: Partial<HistoryItem> & Pick<HistoryItem, 'sk'>): Header {
  const thread = item.thread ?? (item.uploadId === undefined ? undefined : `upload:${item.uploadId}`)
  return {
    id: item.sk,
    topic: item.topic as Topic,
    ...(thread === undefined ? {} : { thread }),
    ...(item.source === undefined ? {} : { source: item.source }),
    ...(item.severity === undefined ? {} : { severity: item.severity }),
  }
}
