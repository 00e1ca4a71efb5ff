import { ProtocolError } from '../errors.js'
import type { ReadState, UnreadCount } from '../protocol/frames.js'
import type { InboxPreferences } from '../protocol/preference-rules.js'
import { STREAM_TOPICS } from '../protocol/topics.js'
import type { HistoryStore } from '../store/history-store.js'
import type { InboxOwner, InboxState, InboxStore } from '../store/inbox-store.js'
import { countUnread, type InboxLens, readStateOf, UNREAD_CAP } from './inbox-view.js'

/** Whose inbox, and what they can see: a user within a tenant, with their token's groups and preferences. */
export interface Reader extends InboxOwner {
  groups?: readonly string[] | undefined
  preferences?: InboxPreferences | undefined
}

/** What a client asks of its inbox. */
export type InboxChange =
  | { type: 'mark_read'; ids: string[] }
  | { type: 'mark_read'; all: true }
  | { type: 'dismiss'; ids: string[] }
  | { type: 'snooze'; ids: string[]; until: string }

/** How far ahead a snooze may end. */
export const MAX_SNOOZE_MS = 30 * 24 * 60 * 60 * 1000
/**
 * Entries one user may have snoozed at once: each keeps a copy of its notification, read with
 * every count, and `read_state` lists them all.
 */
export const MAX_SNOOZED = 100

/** Headers one count reads per partition at most, however much the user muted. */
const MAX_HEADERS_READ = 50_000

// The inbox counts the notifications endpoint's topics, whatever one tab subscribed to: every tab
// and device of a user shows the same count.
const INBOX_TOPICS = STREAM_TOPICS.notifications

/**
 * A user's inbox (docs/how-it-works.md, Inbox state; docs/architecture.md, Inbox controls): their
 * history, less what their preferences mute, what they read, dismissed or snoozed in any tab or on
 * any device.
 */
export class Inbox {
  constructor(
    readonly history: HistoryStore,
    readonly marks: InboxStore,
    readonly now: () => number = Date.now,
  ) {}

  /** The reader's marks, and what to see them with now. */
  async lens(reader: Reader): Promise<InboxLens> {
    return { state: await this.marks.state(reader), preferences: reader.preferences, now: this.now() }
  }

  /** Unread notifications in the history window, targeted and broadcast, a thread once. */
  async unread(reader: Reader, known?: InboxLens): Promise<UnreadCount> {
    const lens = known ?? (await this.lens(reader))
    // Enough to count past the cap when the read and dismissed ones are skipped; muted ones and
    // threads' older notifications are skipped too, so a page that ends too soon is read again, longer.
    let limit = 2 * (UNREAD_CAP + 1) + lens.state.read.size + lens.state.dismissed.size
    for (;;) {
      const query = { ...reader, topics: INBOX_TOPICS }
      const page = await this.history.headers(query, lens.state.readBefore, limit)
      const count = countUnread(page.headers, lens)
      if (!page.truncated || count.unreadCapped) return count
      // Past this, the count is a floor, and says so.
      if (limit >= MAX_HEADERS_READ) return { ...count, unreadCapped: true }
      limit = Math.min(4 * limit, MAX_HEADERS_READ)
    }
  }

  /** The reader's inbox as every tab is told it: the marks, what is snoozed, and the unread count. */
  async readState(reader: Reader): Promise<ReadState> {
    const lens = await this.lens(reader)
    return readStateOf(lens, await this.unread(reader, lens))
  }

  /** Applies a client's change; the result goes to every live connection of the user. */
  async apply(reader: Reader, change: InboxChange): Promise<ReadState> {
    if (change.type === 'snooze') await this.#snooze(reader, change.ids, change.until)
    else if ('all' in change) await this.marks.markAllRead(reader)
    else if (change.type === 'mark_read') await this.marks.markRead(reader, change.ids)
    else await this.marks.dismiss(reader, change.ids)
    const lens = await this.lens(reader)
    if (change.type !== 'snooze') await this.#endSnoozes(reader, change, lens.state)
    return readStateOf(lens, await this.unread(reader, lens))
  }

  /**
   * Marking an entry back from a snooze ends the snooze; "all" ends every one that is back. Found
   * in the state read after the marks, so a mark costs no extra read.
   */
  async #endSnoozes(
    reader: Reader,
    change: Exclude<InboxChange, { type: 'snooze' }>,
    state: InboxState,
  ): Promise<void> {
    const now = this.now()
    const ended = [...state.snoozed]
      .filter(([id, snooze]) => ('all' in change ? Date.parse(snooze.until) <= now : change.ids.includes(id)))
      .map(([id]) => id)
    if (!ended.length) return
    await this.marks.endSnoozes(reader, ended)
    for (const id of ended) state.snoozed.delete(id)
  }

  async #snooze(reader: Reader, ids: readonly string[], until: string): Promise<void> {
    const ends = Date.parse(until)
    const now = this.now()
    if (ends <= now) throw new ProtocolError('invalid_snooze', `until ${until} is in the past`)
    if (ends > now + MAX_SNOOZE_MS)
      throw new ProtocolError('invalid_snooze', 'until is more than 30 days ahead')
    const { snoozed } = await this.marks.state(reader)
    const added = new Set(ids.filter((id) => !snoozed.has(id)))
    if (snoozed.size + added.size > MAX_SNOOZED)
      throw new ProtocolError('invalid_snooze', `at most ${MAX_SNOOZED} entries snoozed at once`)
    const found = await this.history.find({ ...reader, topics: INBOX_TOPICS }, ids)
    await this.marks.snooze(
      reader,
      found.map((envelope) => ({ id: envelope.id, envelope: JSON.stringify(envelope) })),
      until,
    )
  }
}
