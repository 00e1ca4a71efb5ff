import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Preferences } from '../protocol/preferences.js'
import type { InboxOwner } from './inbox-store.js'
import { userPartition } from './keys.js'
import { queryPages } from './query-pages.js'
import { TableStore } from './table-store.js'

/** The preferences item's sort key, in the user's partition beside their connections (`conn#…`). */
const PREFERENCES = 'preferences'

/** A user as `$connect` needs them: how many live connections they hold, and their preferences. */
export interface UserRecord {
  connections: number
  preferences?: Preferences
}

/**
 * A user's preferences (docs/architecture.md, Inbox controls), per user within a tenant, kept in
 * the connections table's user partition with no expiry: a user's choices outlive their sessions.
 */
export class PreferencesStore extends TableStore {
  /** Replaces the owner's preferences. */
  async save(owner: InboxOwner, preferences: Preferences): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: userPartition(owner.userId, owner), sk: PREFERENCES, userPreferences: preferences },
      }),
    )
  }

  /** The owner's preferences, for work done while none of their tabs is open. */
  async get(owner: InboxOwner): Promise<Preferences | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: userPartition(owner.userId, owner), sk: PREFERENCES },
        ProjectionExpression: 'userPreferences',
      }),
    )
    return Item?.userPreferences as Preferences | undefined
  }

  /**
   * The owner's live connections and preferences in one Query over their partition: the
   * preferences item is one more item in the range `$connect` reads to count the connections.
   */
  async userRecord(owner: InboxOwner): Promise<UserRecord> {
    // Not `preferences`: the connections' index items carry their part of them under that name.
    const { items } = await queryPages<{ sk: string; userPreferences?: Preferences }>(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression:
        '(expiresAt > :now AND attribute_not_exists(removed)) OR attribute_exists(userPreferences)',
      ExpressionAttributeValues: {
        ':pk': userPartition(owner.userId, owner),
        ':now': Math.floor(this.now() / 1000),
      },
      ProjectionExpression: 'sk, userPreferences',
    })
    const preferences = items.find((item) => item.sk === PREFERENCES)?.userPreferences
    return {
      connections: items.filter((item) => item.sk !== PREFERENCES).length,
      ...(preferences === undefined ? {} : { preferences }),
    }
  }
}
