import type { Envelope, ReadState, UnreadCount } from '../../shared/protocol/frames.js'
import { NOTIFICATION_TYPES } from '../../shared/protocol/notifications.js'
import type { FrameSource } from '../websocket-types.js'

/**
 * The user's inbox as the server last told it (docs/architecture.md, Inbox state), kept up to
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
}

export const EMPTY_INBOX: InboxState = {
  unread: 0,
  capped: false,
  read: new Set(),
  dismissed: new Set(),
  uploads: new Map(),
}

export function isRead(inbox: InboxState, id: string): boolean {
  return (inbox.readBefore !== undefined && id < inbox.readBefore) || inbox.read.has(id)
}

const counted = (inbox: InboxState, count: Partial<UnreadCount>): InboxState =>
  count.unread === undefined ? inbox : { ...inbox, unread: count.unread, capped: count.unreadCapped === true }

function applyReadState(inbox: InboxState, state: ReadState): InboxState {
  // Marks only ever grow, so what replays already said stays true.
  return {
    ...counted(inbox, state),
    ...(state.readBefore === undefined ? {} : { readBefore: state.readBefore }),
    read: new Set([...inbox.read, ...state.read]),
    dismissed: new Set([...inbox.dismissed, ...state.dismissed]),
  }
}

/** The inbox after one server frame. */
export function applyFrame(inbox: InboxState, frame: Envelope, source: FrameSource): InboxState {
  switch (frame.type) {
    case 'connection_established':
    case 'resumed':
      return counted(inbox, frame.data as Partial<UnreadCount>)
    case 'read_state':
      return applyReadState(inbox, frame.data as ReadState)
  }
  if (!NOTIFICATION_TYPES.includes(frame.type as never)) return inbox
  const read = frame.read === true ? new Set([...inbox.read, frame.id]) : inbox.read
  const uploadId =
    frame.type === 'upload_status' ? (frame as Envelope<'upload_status'>).data.upload_id : undefined
  const previous = uploadId === undefined ? undefined : inbox.uploads.get(uploadId)
  const uploads = uploadId === undefined ? inbox.uploads : new Map([...inbox.uploads, [uploadId, frame.id]])
  // Replayed and recent notifications are in the count the `resumed` frame brings.
  const stillUnread = previous !== undefined && !isRead(inbox, previous) && !inbox.dismissed.has(previous)
  const more = source === 'live' && frame.read !== true && !stillUnread ? 1 : 0
  return { ...inbox, unread: inbox.unread + more, read, uploads }
}
