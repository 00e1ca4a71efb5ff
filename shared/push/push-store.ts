import { createHash } from 'node:crypto'
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { ProtocolError } from '../errors.js'
import type { PushSubscriptionJson } from '../protocol/push-subscription.js'
import type { InboxOwner } from '../store/inbox-store.js'
import { userPartition } from '../store/keys.js'
import { liveItemsFilter, queryPages } from '../store/query-pages.js'
import { TableStore } from '../store/table-store.js'

/** Browsers one user may have subscribed at once. */
export const MAX_PUSH_SUBSCRIPTIONS = 10
/** A subscription not renewed for this long is dropped (a browser renews it each time it subscribes). */
const SUBSCRIPTION_TTL_SECONDS = 30 * 24 * 60 * 60

interface SubscriptionItem extends PushSubscriptionJson {
  pk: string
  sk: string
  expiresAt: number
}

// A partition of its own, so a user's connections are counted without reading their browsers.
const partitionOf = (owner: InboxOwner): string => `push#${userPartition(owner.userId, owner)}`
const keyOf = (endpoint: string): string => createHash('sha256').update(endpoint).digest('hex').slice(0, 32)

/** The browsers a user subscribed to Web Push, per user within a tenant, in the connections table. */
export class PushStore extends TableStore {
  /** Keeps (or renews) a subscription; refuses one more than {@link MAX_PUSH_SUBSCRIPTIONS}. */
  async save(owner: InboxOwner, subscription: PushSubscriptionJson): Promise<void> {
    const existing = await this.list(owner)
    const sk = keyOf(subscription.endpoint)
    if (
      existing.length >= MAX_PUSH_SUBSCRIPTIONS &&
      !existing.some((each) => each.endpoint === subscription.endpoint)
    )
      throw new ProtocolError(
        'invalid_subscription',
        `at most ${MAX_PUSH_SUBSCRIPTIONS} browsers per user; unsubscribe one first`,
      )
    const item: SubscriptionItem = {
      pk: partitionOf(owner),
      sk,
      endpoint: subscription.endpoint,
      keys: subscription.keys,
      expiresAt: Math.floor(this.now() / 1000) + SUBSCRIPTION_TTL_SECONDS,
    }
    await this.client.send(new PutCommand({ TableName: this.table, Item: item }))
  }

  async remove(owner: InboxOwner, endpoint: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: partitionOf(owner), sk: keyOf(endpoint) } }),
    )
  }

  /** The owner's live subscriptions. */
  async list(owner: InboxOwner): Promise<PushSubscriptionJson[]> {
    const filter = liveItemsFilter(Math.floor(this.now() / 1000))
    const { items } = await queryPages<SubscriptionItem>(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: filter.FilterExpression,
      ExpressionAttributeValues: { ...filter.values, ':pk': partitionOf(owner) },
    })
    return items.map(({ endpoint, keys }) => ({ endpoint, keys }))
  }
}
