import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { withBackoff } from '../backoff.js'
import { DEFAULTS } from '../defaults.js'
import { ConflictError } from '../errors.js'
import type { Scope } from '../protocol/audience.js'
import type { LogFilters } from '../protocol/frames.js'
import type { LogEvent } from '../protocol/notifications.js'
import type { InboxPreferences } from '../protocol/preference-rules.js'
import type { Topic } from '../protocol/topics.js'
import { batchWrite } from './batch-write.js'
import { indexItems, indexKeys, putIfNewer } from './connection-index.js'
import { type RecipientLookup, readRanges } from './index-queries.js'
import {
  connectionKey,
  groupPartition,
  type ItemKey,
  logPartition,
  matchingFilters,
  notificationPartition,
  shardRange,
  userPartition,
} from './keys.js'

export interface Connection {
  connectionId: string
  userId: string
  /** The token's tenant; none in a single-tenant deployment. */
  tenant?: string
  /** The token's groups, which group publishes reach. */
  groups?: string[]
  topics: Topic[]
  filters: LogFilters
  connectedAt: string
  /**
   * When the welcome reached the socket. Until then API Gateway answers 410 for a connection that
   * is still opening as for one that is gone, so a fan-out's 410 only removes it once this is set.
   */
  openedAt?: string
  /** Epoch seconds after which the connection is treated as gone. */
  expiresAt: number
  /** Bumped by every change; index items carry the version that wrote them. */
  version: number
  /** The user's inbox preferences when the connection was made or they last changed. */
  preferences?: InboxPreferences
}

/** What a connection's owner may change of it; `preferences` only when named (undefined: none). */
export type ConnectionChange = Pick<Connection, 'topics' | 'filters'> & {
  preferences?: InboxPreferences | undefined
}

export interface ConnectionStoreOptions {
  client: DynamoDBDocumentClient
  tableName: string
  /** Partitions per topic and per log filter; raise it (never lower it) for very large audiences. @default DEFAULTS.shards */
  shards?: number
  /** How long a connection is kept without `$disconnect`; a little past API Gateway's 2 h cut. @default DEFAULTS.connectionTtlSeconds */
  ttlSeconds?: number
  now?: () => number
}

// Enough for every frame a client could send in one burst to win in turn.
const MAX_UPDATE_ATTEMPTS = 12

/**
 * How long a connection that was never welcomed may still be opening: API Gateway's 29-second
 * integration timeout for `$connect`, and a second more. Past it, a 410 means gone.
 */
export const OPENING_GRACE_MS = 30_000

/**
 * Connections and the index items that find them by user, topic and log filter.
 *
 * DynamoDB Local twins have no transactions, so each change is ordered instead: the connection
 * item is the claim (a conditional write on its version), then each index item is written with
 * `version <= new`. A slower writer holding an older version can never overwrite a newer index
 * item, and an index key that a change drops is kept as a `removed` tombstone (not deleted) so a
 * late put from an older change cannot resurrect it. Removal deletes index items before the
 * connection item, so running it again after a partial failure finishes the job.
 */
export class ConnectionStore {
  readonly #client: DynamoDBDocumentClient
  readonly #table: string
  readonly #shards: number
  readonly #ttlSeconds: number
  readonly #now: () => number

  constructor(options: ConnectionStoreOptions) {
    this.#client = options.client
    this.#table = options.tableName
    this.#shards = options.shards ?? DEFAULTS.shards
    this.#ttlSeconds = options.ttlSeconds ?? DEFAULTS.connectionTtlSeconds
    this.#now = options.now ?? Date.now
  }

  async add(input: {
    connectionId: string
    userId: string
    tenant?: string | undefined
    groups?: readonly string[]
    topics: Topic[]
    filters?: LogFilters
    preferences?: InboxPreferences | undefined
  }): Promise<Connection> {
    const now = this.#now()
    const connection: Connection = {
      connectionId: input.connectionId,
      userId: input.userId,
      ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
      ...(input.groups?.length ? { groups: [...new Set(input.groups)] } : {}),
      topics: [...new Set(input.topics)],
      filters: input.filters ?? {},
      connectedAt: new Date(now).toISOString(),
      expiresAt: Math.floor(now / 1000) + this.#ttlSeconds,
      version: 1,
      ...(input.preferences === undefined ? {} : { preferences: input.preferences }),
    }
    // Nothing else can touch a connection before `$connect` returns, so its first items go in one
    // unconditional batch: one round trip instead of one per item.
    await batchWrite(this.#client, this.#table, [
      { PutRequest: { Item: { ...connectionKey(input.connectionId), ...connection } } },
      ...indexItems(undefined, connection, this.#shards).map((Item) => ({ PutRequest: { Item } })),
    ])
    return connection
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const item = await this.#item(connectionId)
    if (!item || item.expiresAt <= this.#nowSeconds()) return undefined
    const { pk: _pk, sk: _sk, ...connection } = item
    return connection
  }

  /** Whether the connection is still stored (`$disconnect` has not removed it): one strongly consistent key read. */
  async isStored(connectionId: string): Promise<boolean> {
    return (await this.#read(connectionId, 'pk')) !== undefined
  }

  /** Applies `change` to the stored connection, retrying on a concurrent change; undefined when it is gone. */
  async update(
    connectionId: string,
    change: (current: Connection) => ConnectionChange,
  ): Promise<Connection | undefined> {
    const updated = await withBackoff<Connection | undefined>(
      async () => {
        const current = await this.get(connectionId)
        if (!current) return { done: true, value: undefined }
        const changed = change(current)
        const { topics, filters } = changed
        // A change that does not name the preferences keeps them.
        const preferences = 'preferences' in changed ? changed.preferences : current.preferences
        const { preferences: _previous, ...rest } = current
        const next: Connection = {
          ...rest,
          topics: [...new Set(topics)],
          filters,
          version: current.version + 1,
          ...(preferences === undefined ? {} : { preferences }),
        }
        try {
          await this.#client.send(
            new PutCommand({
              TableName: this.#table,
              Item: { ...connectionKey(connectionId), ...next },
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': current.version },
            }),
          )
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error
          return { done: false }
        }
        await Promise.all(
          indexItems(current, next, this.#shards).map((item) => putIfNewer(this.#client, this.#table, item)),
        )
        return { done: true, value: next }
      },
      // Losers of a race back off a little so they do not collide again in lockstep.
      { baseMs: 5, maxMs: 100, attempts: MAX_UPDATE_ATTEMPTS },
    )
    if (!updated)
      throw new ConflictError(
        `connection ${connectionId} kept changing; gave up after ${MAX_UPDATE_ATTEMPTS} attempts`,
      )
    return updated.value
  }

  /**
   * Records that the socket is open (its welcome was delivered). The version moves too, so an
   * `update` that read the item before this cannot write it back without `openedAt`.
   */
  async markOpen(connectionId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: connectionKey(connectionId),
          UpdateExpression: 'SET openedAt = :now, version = version + :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': new Date(this.#now()).toISOString(), ':one': 1 },
        }),
      )
    } catch (error) {
      // `$disconnect` got there first: nothing is left to mark.
      if (!(error instanceof ConditionalCheckFailedException)) throw error
    }
  }

  /**
   * What a fan-out does with a 410: removes the connection, unless it was never welcomed and is
   * young enough to be still opening, when the 410 only meant "not yet". `staleKeys` are the index
   * items the fan-out found it through, deleted even when the connection item is already gone.
   * Returns `'opening'` when it kept the connection for that reason.
   */
  async removeGone(connectionId: string, staleKeys: readonly ItemKey[]): Promise<'removed' | 'opening'> {
    const item = await this.#item(connectionId)
    const opening =
      item !== undefined &&
      item.openedAt === undefined &&
      this.#now() - Date.parse(item.connectedAt) < OPENING_GRACE_MS
    if (opening) return 'opening'
    await this.#removeItems(connectionId, item, staleKeys)
    return 'removed'
  }

  /** Deletes a connection and everything indexed under it (`$disconnect`). Safe to repeat. */
  async remove(connectionId: string): Promise<void> {
    await this.#removeItems(connectionId, await this.#item(connectionId), [])
  }

  /** The stored item, keys included, expired or not. */
  async #item(connectionId: string): Promise<(Connection & ItemKey) | undefined> {
    return (await this.#read(connectionId)) as (Connection & ItemKey) | undefined
  }

  /** The connection item, strongly consistent (a `$disconnect` just done shows), or `projection` of it. */
  async #read(connectionId: string, projection?: string) {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: connectionKey(connectionId),
        ConsistentRead: true,
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
      }),
    )
    return Item
  }

  async #removeItems(
    connectionId: string,
    item: Connection | undefined,
    staleKeys: readonly ItemKey[],
  ): Promise<void> {
    const keys = new Map(staleKeys.map((key) => [`${key.pk}|${key.sk}`, key]))
    if (item) for (const key of indexKeys(item, this.#shards)) keys.set(`${key.pk}|${key.sk}`, key)
    await batchWrite(
      this.#client,
      this.#table,
      [...keys.values()].map((Key) => ({ DeleteRequest: { Key } })),
    )
    if (item)
      await this.#client.send(new DeleteCommand({ TableName: this.#table, Key: connectionKey(connectionId) }))
  }

  /** A user's live connections subscribed to `topic`, within the tenant: a key range, so no one else is read. */
  recipientsOfUser(userId: string, topic: Topic, scope: Scope = {}): Promise<RecipientLookup> {
    return this.recipientsOfUserOn(userId, [topic], scope)
  }

  /** A user's live connections on any of `topics`, within the tenant, each once. */
  recipientsOfUserOn(userId: string, topics: readonly Topic[], scope: Scope = {}): Promise<RecipientLookup> {
    return readRanges(this.#reader(), [{ pk: userPartition(userId, scope), prefix: 'conn#', topics }])
  }

  /** Every live connection subscribed to `topic` (in the tenant, or in every tenant unscoped), shard by shard. */
  recipientsOfTopic(topic: Topic, scope: Scope = {}): Promise<RecipientLookup> {
    return readRanges(
      this.#reader(),
      shardRange(this.#shards).map((shard) => ({ pk: notificationPartition(shard, scope), topics: [topic] })),
    )
  }

  /** The live connections whose token carried `group`, subscribed to `topic`, within the tenant. */
  recipientsOfGroup(group: string, topic: Topic, scope: Scope = {}): Promise<RecipientLookup> {
    // Log events go by filter, never to a group.
    if (topic === 'logs') return Promise.resolve({ recipients: [], itemsRead: 0 })
    return readRanges(
      this.#reader(),
      shardRange(this.#shards).map((shard) => ({ pk: groupPartition(group, shard, scope), topics: [topic] })),
    )
  }

  /** The `logs` subscribers whose filters match `log`, found by key without reading anyone else. */
  recipientsOfLog(
    log: Pick<LogEvent, 'level' | 'source' | 'environment'>,
    scope: Scope = {},
  ): Promise<RecipientLookup> {
    const ranges = matchingFilters(log).flatMap((filters) =>
      shardRange(this.#shards).map((shard) => ({ pk: logPartition(filters, shard, scope) })),
    )
    return readRanges(this.#reader(), ranges)
  }

  #reader() {
    return { client: this.#client, table: this.#table, nowSeconds: this.#nowSeconds() }
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000)
  }
}
