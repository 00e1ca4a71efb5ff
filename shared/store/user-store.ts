import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Preferences } from '../protocol/preferences.js'
import type { InboxOwner } from './inbox-store.js'
import { userPartition } from './keys.js'
import { queryPages } from './query-pages.js'
import { TableStore } from './table-store.js'

/** The preferences item's sort key, in the user's partition beside their connections (`conn#…`). */
const PREFERENCES = 'preferences'
/** The contact item's: the address escalations are e-mailed to. */
const CONTACT = 'contact'

/** A user as `$connect` needs them: how many live connections they hold, their preferences and address. */
export interface UserRecord {
  connections: number
  preferences?: Preferences
  email?: string
}

/**
 * What Herald keeps of a user beyond their sessions, per user within a tenant, in the connections
 * table's user partition with no expiry: their preferences (docs/architecture.md, Inbox controls)
 * and the address their token last carried (Offline delivery).
 */
export class UserStore extends TableStore {
  /** Replaces the owner's preferences. */
  save(owner: InboxOwner, preferences: Preferences): Promise<void> {
    return this.#put(owner, PREFERENCES, { userPreferences: preferences })
  }

  /** The owner's preferences, for work done while none of their tabs is open. */
  async get(owner: InboxOwner): Promise<Preferences | undefined> {
    return (await this.#read(owner, PREFERENCES, 'userPreferences')) as Preferences | undefined
  }

  /** Remembers the address escalations go to; `$connect` writes it only when the token's differs. */
  rememberEmail(owner: InboxOwner, email: string): Promise<void> {
    return this.#put(owner, CONTACT, { email })
  }

  /** The address the owner's token last carried, for an escalation sent while they are away. */
  async email(owner: InboxOwner): Promise<string | undefined> {
    return (await this.#read(owner, CONTACT, 'email')) as string | undefined
  }

  /** Replaces one of the owner's items: `sk` in their partition. */
  async #put(owner: InboxOwner, sk: string, attributes: Record<string, unknown>): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: userPartition(owner.userId, owner), sk, ...attributes },
      }),
    )
  }

  /** One attribute of one of the owner's items. */
  async #read(owner: InboxOwner, sk: string, attribute: string): Promise<unknown> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: userPartition(owner.userId, owner), sk },
        ProjectionExpression: attribute,
      }),
    )
    return Item?.[attribute]
  }

  /**
   * The owner's live connections, preferences and address in one Query over their partition: the
   * preferences and contact items are two more in the range `$connect` reads to count the connections.
   */
  async userRecord(owner: InboxOwner): Promise<UserRecord> {
    // Not `preferences`: the connections' index items carry their part of them under that name.
    const { items } = await queryPages<{ sk: string; userPreferences?: Preferences; email?: string }>(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression:
          '(expiresAt > :now AND attribute_not_exists(removed)) OR attribute_exists(userPreferences) OR attribute_exists(email)',
        ExpressionAttributeValues: {
          ':pk': userPartition(owner.userId, owner),
          ':now': Math.floor(this.now() / 1000),
        },
        ProjectionExpression: 'sk, userPreferences, email',
      },
    )
    const preferences = items.find((item) => item.sk === PREFERENCES)?.userPreferences
    const email = items.find((item) => item.sk === CONTACT)?.email
    return {
      connections: items.filter((item) => item.sk !== PREFERENCES && item.sk !== CONTACT).length,
      ...(preferences === undefined ? {} : { preferences }),
      ...(email === undefined ? {} : { email }),
    }
  }
}
