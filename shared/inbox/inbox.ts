import type { ReadState, UnreadCount } from '../protocol/frames.js'
import { STREAM_TOPICS } from '../protocol/topics.js'
import type { HistoryStore } from '../store/history-store.js'
import type { InboxOwner, InboxState, InboxStore } from '../store/inbox-store.js'
import { countUnread, readStateOf, UNREAD_CAP } from './inbox-view.js'

/** Whose inbox, and what they can see: a user within a tenant, with their token's groups. */
export interface Reader extends InboxOwner {
  groups?: readonly string[] | undefined
}

/** What a client asks of its inbox. */
export type InboxChange =
  | { type: 'mark_read'; ids: string[] }
  | { type: 'mark_read'; all: true }
  | { type: 'dismiss'; ids: string[] }

// The inbox counts the notifications endpoint's topics, whatever one tab subscribed to: every tab
// and device of a user shows the same count.
const INBOX_TOPICS = STREAM_TOPICS.notifications

/**
 * A user's inbox (docs/how-it-works.md, Inbox state): their history, less what they read or
 * dismissed in any tab or on any device.
 */
export class Inbox {
  constructor(
    readonly history: HistoryStore,
    readonly marks: InboxStore,
  ) {}

  state(reader: Reader): Promise<InboxState> {
    return this.marks.state(reader)
  }

  /** Unread notifications in the history window, targeted and broadcast, one per upload. */
  async unread(reader: Reader, known?: InboxState): Promise<UnreadCount> {
    const state = known ?? (await this.marks.state(reader))
    // Enough to count past the cap even when every read, dismissed or superseded upload status is skipped.
    const limit = 2 * (UNREAD_CAP + 1) + state.read.size + state.dismissed.size
    const items = await this.history.headers({ ...reader, topics: INBOX_TOPICS }, state.readBefore, limit)
    return countUnread(items, state)
  }

  /** Applies a client's change; the result goes to every live connection of the user. */
  async apply(reader: Reader, change: InboxChange): Promise<ReadState> {
    if ('all' in change) await this.marks.markAllRead(reader)
    else if (change.type === 'mark_read') await this.marks.markRead(reader, change.ids)
    else await this.marks.dismiss(reader, change.ids)
    const state = await this.marks.state(reader)
    return readStateOf(state, await this.unread(reader, state))
  }
}
