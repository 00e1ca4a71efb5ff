import type { NotificationEnvelope, ReadState, UnreadCount } from '../protocol/frames.js'
import type { InboxState } from '../store/inbox-store.js'

/** Counts are exact up to this; above it the frame says `unreadCapped`. */
export const UNREAD_CAP = 999
/** Ids listed in a `read_state` frame at most, per list, newest first: it must fit one frame. */
const LISTED_IDS = 1_000

/** One inbox item as the count sees it: its id, and its upload when it is an upload's status. */
export interface InboxItem {
  id: string
  uploadId?: string
}

export function isRead(state: InboxState, id: string): boolean {
  return (state.readBefore !== undefined && id < state.readBefore) || state.read.has(id)
}

/** An upload's statuses are one item, its latest: from items newest first, the first of each upload. */
export function latestPerUpload<T>(newestFirst: readonly T[], itemOf: (each: T) => InboxItem): T[] {
  const seen = new Set<string>()
  return newestFirst.filter((each) => {
    const { uploadId } = itemOf(each)
    if (uploadId === undefined) return true
    if (seen.has(uploadId)) return false
    seen.add(uploadId)
    return true
  })
}

/**
 * The unread items among `newestFirst` (one per upload), exact up to {@link UNREAD_CAP}, and the
 * newest id the count saw: a client adds what reached it live after that (docs/how-it-works.md, Inbox state).
 */
export function countUnread(newestFirst: readonly InboxItem[], state: InboxState): UnreadCount {
  const countedThrough = newestFirst[0]?.id ?? ''
  let unread = 0
  for (const item of latestPerUpload(newestFirst, (each) => each)) {
    if (isRead(state, item.id) || state.dismissed.has(item.id)) continue
    if (++unread > UNREAD_CAP) return { unread: UNREAD_CAP, unreadCapped: true, countedThrough }
  }
  return { unread, countedThrough }
}

const newest = (ids: Iterable<string>) => [...ids].sort().reverse().slice(0, LISTED_IDS)

export function readStateOf(state: InboxState, count: UnreadCount): ReadState {
  return {
    ...count,
    read: newest(state.read),
    dismissed: newest(state.dismissed),
    all: state.readBefore !== undefined,
    ...(state.readBefore === undefined ? {} : { readBefore: state.readBefore }),
  }
}

/**
 * History as the inbox shows it, oldest first: dismissed notifications gone, an upload as its
 * latest status only, each flagged `read`.
 */
export function inboxView(oldestFirst: readonly NotificationEnvelope[], state: InboxState) {
  const item = (envelope: NotificationEnvelope): InboxItem =>
    envelope.type === 'upload_status'
      ? { id: envelope.id, uploadId: envelope.data.upload_id }
      : { id: envelope.id }
  return latestPerUpload([...oldestFirst].reverse(), item)
    .reverse()
    .filter((envelope) => !state.dismissed.has(envelope.id))
    .map((envelope) => ({ ...envelope, read: isRead(state, envelope.id) }))
}
