import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { DEFAULTS } from '../defaults.js'
import type { Scope } from '../protocol/audience.js'
import { idTime, newId } from '../protocol/ids.js'
import { batchWrite } from './batch-write.js'
import { historyPartition } from './keys.js'
import { liveItemsFilter, queryPages } from './query-pages.js'

/** Whose inbox: a user within a tenant. */
export interface InboxOwner extends Scope {
  userId: string
}

/** What a user has read and dismissed, as stored. */
export interface InboxState {
  /** Everything with an id below this was marked read at once ("mark all read"). */
  readBefore?: string
  /** Read one by one, newer than `readBefore`. */
  read: Set<string>
  dismissed: Set<string>
  /** Snoozed entries by id, each with its notification, so it comes back even after history lets it go. */
  snoozed: Map<string, Snooze>
}

export interface Snooze {
  /** When it comes back (ISO-8601). */
  until: string
  /** The notification's envelope, as JSON. */
  envelope: string
}

export interface InboxStoreOptions {
  client: DynamoDBDocumentClient
  tableName: string
  /** The history's retention: a mark expires with the notification it marks. @default DEFAULTS.historySeconds */
  retentionSeconds?: number
  now?: () => number
}

const ALL = 'all'
const READ = 'read#'
const DISMISSED = 'dismissed#'
const SNOOZED = 'snoozed#'
const ESCALATED = 'escalated#'

/**
 * Read and dismissed marks, per user within a tenant, beside the history they mark. "Mark all
 * read" is one item holding a ULID marker, not one item per notification; every mark expires with
 * the notification (or, for the marker, the newest notification) it covers.
 */
export class InboxStore {
  readonly #client: DynamoDBDocumentClient
  readonly #table: string
  readonly #retentionSeconds: number
  readonly #now: () => number

  constructor(options: InboxStoreOptions) {
    this.#client = options.client
    this.#table = options.tableName
    this.#retentionSeconds = options.retentionSeconds ?? DEFAULTS.historySeconds
    this.#now = options.now ?? Date.now
  }

  /** The owner's marks: one Query over their inbox partition. */
  async state(owner: InboxOwner): Promise<InboxState> {
    const filter = liveItemsFilter(Math.floor(this.#now() / 1000))
    const { items } = await queryPages<{ sk: string; marker?: string } & Partial<Snooze>>(this.#client, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: filter.FilterExpression,
      ExpressionAttributeValues: { ...filter.values, ':pk': historyPartition.inbox(owner.userId, owner) },
    })
    const state: InboxState = { read: new Set(), dismissed: new Set(), snoozed: new Map() }
    for (const item of items) {
      if (item.sk === ALL) state.readBefore = item.marker
      else if (item.sk.startsWith(READ)) state.read.add(item.sk.slice(READ.length))
      else if (item.sk.startsWith(DISMISSED)) state.dismissed.add(item.sk.slice(DISMISSED.length))
      else if (item.sk.startsWith(SNOOZED) && item.until !== undefined && item.envelope !== undefined)
        state.snoozed.set(item.sk.slice(SNOOZED.length), { until: item.until, envelope: item.envelope })
    }
    if (state.readBefore !== undefined)
      for (const id of state.read) if (id < state.readBefore) state.read.delete(id)
    return state
  }

  markRead(owner: InboxOwner, ids: readonly string[]): Promise<void> {
    return this.#mark(owner, READ, ids)
  }

  dismiss(owner: InboxOwner, ids: readonly string[]): Promise<void> {
    return this.#mark(owner, DISMISSED, ids)
  }

  /**
   * Snoozes each notification until `until`; it stays in the inbox partition until a retention
   * window after that, so it comes back even if history has let it go by then.
   */
  async snooze(
    owner: InboxOwner,
    envelopes: readonly { id: string; envelope: string }[],
    until: string,
  ): Promise<void> {
    const pk = historyPartition.inbox(owner.userId, owner)
    // Kept a history window past `until`, but never past the notification's own expiry.
    const expiresAt = (envelope: string): number => {
      const expires = (JSON.parse(envelope) as { expiresAt?: string }).expiresAt
      const own = expires === undefined ? Number.POSITIVE_INFINITY : Math.floor(Date.parse(expires) / 1000)
      return Math.min(this.#expiry(Date.parse(until)), own)
    }
    await batchWrite(
      this.#client,
      this.#table,
      envelopes.map(({ id, envelope }) => ({
        PutRequest: { Item: { pk, sk: `${SNOOZED}${id}`, until, envelope, expiresAt: expiresAt(envelope) } },
      })),
    )
  }

  /** Ends these snoozes: a returned entry marked read or dismissed is an ordinary one again. */
  async endSnoozes(owner: InboxOwner, ids: readonly string[]): Promise<void> {
    const pk = historyPartition.inbox(owner.userId, owner)
    await batchWrite(
      this.#client,
      this.#table,
      ids.map((id) => ({ DeleteRequest: { Key: { pk, sk: `${SNOOZED}${id}` } } })),
    )
  }

  /** Marks everything published until now read; a marker never moves back. */
  async markAllRead(owner: InboxOwner): Promise<void> {
    const now = this.#now()
    const marker = newId(now)
    await this.#putIf(
      { pk: historyPartition.inbox(owner.userId, owner), sk: ALL, marker, expiresAt: this.#expiry(now) },
      'attribute_not_exists(marker) OR marker < :marker',
      { ':marker': marker },
    )
  }

  /**
   * Claims the one e-mail a notification may escalate to: false when it was claimed already (a
   * retried invocation after a sent one). The claim expires with the notification it covers.
   */
  claimEscalation(owner: InboxOwner, id: string): Promise<boolean> {
    const pk = historyPartition.inbox(owner.userId, owner)
    return this.#putIf(
      { pk, sk: `${ESCALATED}${id}`, expiresAt: this.#expiry(idTime(id)) },
      'attribute_not_exists(sk)',
    )
  }

  /** Writes `item` if `condition` holds; false when it did not (nothing written). */
  async #putIf(
    item: Record<string, unknown>,
    condition: string,
    values?: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      )
      return true
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false
      throw error
    }
  }

  /** Gives a claim back when its e-mail could not be sent, so a retry may send it. */
  async releaseEscalation(owner: InboxOwner, id: string): Promise<void> {
    await this.#client.send(
      new DeleteCommand({
        TableName: this.#table,
        Key: { pk: historyPartition.inbox(owner.userId, owner), sk: `${ESCALATED}${id}` },
      }),
    )
  }

  async #mark(owner: InboxOwner, prefix: string, ids: readonly string[]): Promise<void> {
    const pk = historyPartition.inbox(owner.userId, owner)
    // Ids outside the history window mark nothing that can still be shown.
    const oldest = this.#now() - this.#retentionSeconds * 1000
    const kept = [...new Set(ids)].filter((id) => idTime(id) >= oldest)
    await batchWrite(
      this.#client,
      this.#table,
      kept.map((id) => ({
        PutRequest: { Item: { pk, sk: `${prefix}${id}`, expiresAt: this.#expiry(idTime(id)) } },
      })),
    )
  }

  #expiry(ms: number): number {
    return Math.floor(ms / 1000) + this.#retentionSeconds
  }
}
