import {
  isNotificationFrame,
  type ReadState,
  type ServerFrame,
  type UnreadCount,
} from '../../shared/protocol/frames.js'
import type { FrameSource } from '../websocket-types.js'

/**
 * The user's inbox as the server last told it (docs/how-it-works.md, Inbox state), kept up to
 * date between its frames: a live notification is one more unread, unless it is a later status of
 * an upload still unread.
 */
export interface InboxState {
  unread: number
  /** More than 999 unread: `unread` is a floor. */
  capped: boolean
  /** Everything below this id was marked read at once. */
  readBefore?: string
  read: ReadonlySet<string>
  dismissed: ReadonlySet<string>
  /** Each upload's latest status id: an upload is one inbox item. */
  uploads: ReadonlyMap<string, string>
  /** The newest id the server's last count took in, when it said. */
  countedThrough?: string
  /** Live notifications added to `unread` here, newer than `countedThrough`: the next count may lack them. */
  pending: ReadonlySet<string>
}

export const EMPTY_INBOX: InboxState = {
  unread: 0,
  capped: false,
  read: new Set(),
  dismissed: new Set(),
  uploads: new Map(),
  pending: new Set(),
}

// Past this many, the count is capped anyway: the oldest are let go.
const MAX_PENDING = 1_000

export function isRead(inbox: InboxState, id: string): boolean {
  return (inbox.readBefore !== undefined && id < inbox.readBefore) || inbox.read.has(id)
}

/** Not taken in by a count that went up to `countedThrough` (`""`: none). */
const newer = (id: string, countedThrough: string | undefined): boolean =>
  countedThrough !== undefined && id > countedThrough

/**
 * The server's count, plus what reached this tab live while it was being made: still unread and
 * newer than what it took in. A server that does not say what it took in is taken at its word.
 */
function counted(inbox: InboxState, count: Partial<UnreadCount>): InboxState {
  if (count.unread === undefined) return inbox
  const { countedThrough } = count
  const pending = new Set(
    [...inbox.pending].filter(
      (id) => newer(id, countedThrough) && !isRead(inbox, id) && !inbox.dismissed.has(id),
    ),
  )
  return {
    ...inbox,
    unread: count.unread + pending.size,
    capped: count.unreadCapped === true,
    pending,
    ...(countedThrough === undefined ? {} : { countedThrough }),
  }
}

function applyReadState(inbox: InboxState, state: ReadState): InboxState {
  // Marks only ever grow, so what replays already said stays true.
  const marked = {
    ...inbox,
    ...(state.readBefore === undefined ? {} : { readBefore: state.readBefore }),
    read: new Set([...inbox.read, ...state.read]),
    dismissed: new Set([...inbox.dismissed, ...state.dismissed]),
  }
  return counted(marked, state)
}

/** The inbox after one server frame. */
export function applyFrame(inbox: InboxState, frame: ServerFrame, source: FrameSource): InboxState {
  switch (frame.type) {
    case 'connection_established':
    case 'resumed':
      return counted(inbox, frame.data)
    case 'read_state':
      return applyReadState(inbox, frame.data)
  }
  if (!isNotificationFrame(frame)) return inbox
  const read = frame.read === true ? new Set([...inbox.read, frame.id]) : inbox.read
  const uploadId = frame.type === 'upload_status' ? frame.data.upload_id : undefined
  const previous = uploadId === undefined ? undefined : inbox.uploads.get(uploadId)
  const uploads = uploadId === undefined ? inbox.uploads : new Map([...inbox.uploads, [uploadId, frame.id]])
  // Replayed and recent notifications are in the count the `resumed` frame brings, and so is a
  // live one the last count already took in.
  const stillUnread = previous !== undefined && !isRead(inbox, previous) && !inbox.dismissed.has(previous)
  const alreadyCounted = inbox.countedThrough !== undefined && !newer(frame.id, inbox.countedThrough)
  if (source !== 'live' || frame.read === true || stillUnread || alreadyCounted)
    return { ...inbox, read, uploads }
  const pending = new Set([...inbox.pending, frame.id])
  if (pending.size > MAX_PENDING) pending.delete([...pending].sort()[0] as string)
  return { ...inbox, unread: inbox.unread + 1, read, uploads, pending }
}
