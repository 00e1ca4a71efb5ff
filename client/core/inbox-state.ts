import {
  isNotificationFrame,
  type NotificationEnvelope,
  type ReadState,
  type ServerFrame,
  type UnreadCount,
} from '../../shared/protocol/frames.js'
import type { Preferences } from '../../shared/protocol/preferences.js'
import type { FrameSource } from '../websocket-types.js'
import { threadKeyOf } from './threads.js'

/** A notification that expires: when (ms since the epoch), and the thread it is in. */
export interface Expiring {
  at: number
  thread?: string
}

/**
 * The user's inbox as the server last told it (docs/how-it-works.md, Inbox state, and
 * docs/architecture.md, Inbox controls), kept up to date between its frames: a live notification
 * is one more unread, unless its thread is unread already.
 */
export interface InboxState {
  unread: number
  /** More than 999 unread: `unread` is a floor. */
  capped: boolean
  /** Everything below this id was marked read at once. */
  readBefore?: string
  read: ReadonlySet<string>
  dismissed: ReadonlySet<string>
  /** Back from a snooze: unread, though read before it, until marked read or dismissed again. */
  returned: ReadonlySet<string>
  /** Each thread's newest id: a thread is one inbox entry, counted once, by its newest. */
  threads: ReadonlyMap<string, string>
  /** Snoozed ids and when each comes back (ms since the epoch): out of the count and the list until then. */
  snoozed: ReadonlyMap<string, number>
  /** Notifications with an `expiresAt`: each leaves the list, and the count, then. */
  expiring: ReadonlyMap<string, Expiring>
  /**
   * Unread notifications replayed after their `expiresAt` by this clock: the server still took them
   * for live when it answered (its clock is not this one), so the count that follows holds them.
   */
  expiredReplays: ReadonlySet<string>
  /** The user's preferences, once the server said them (a server before 0.3 never does). */
  preferences?: Preferences
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
  returned: new Set(),
  threads: new Map(),
  snoozed: new Map(),
  expiring: new Map(),
  expiredReplays: new Set(),
  pending: new Set(),
}

// Past this many, the count is capped anyway: the oldest are let go.
const MAX_PENDING = 1_000

export function isRead(inbox: InboxState, id: string): boolean {
  if (inbox.returned.has(id)) return false
  return (inbox.readBefore !== undefined && id < inbox.readBefore) || inbox.read.has(id)
}

/** Whether the server counts `id` when it is its thread's newest: unread, not dismissed, not snoozed. */
const unreadShown = (inbox: InboxState, id: string): boolean =>
  !isRead(inbox, id) && !inbox.dismissed.has(id) && !inbox.snoozed.has(id)

/** Not taken in by a count that went up to `countedThrough` (`""`: none). */
const newer = (id: string, countedThrough: string | undefined): boolean =>
  countedThrough !== undefined && id > countedThrough

/**
 * The user's snoozes as the server lists them, each id with its ISO `until` (none listed: none):
 * those still to end, and those over but not yet marked read or dismissed, which are back.
 */
function snoozesOf(
  record: Record<string, string> | undefined,
  now: number,
): Pick<InboxState, 'snoozed' | 'returned'> {
  const snoozed = new Map<string, number>()
  const returned = new Set<string>()
  for (const [id, until] of Object.entries(record ?? {})) {
    const ends = Date.parse(until)
    if (ends > now) snoozed.set(id, ends)
    else returned.add(id)
  }
  return { snoozed, returned }
}

/**
 * The server's count, made at `at`, plus what reached this tab live while it was being made: still
 * unread and newer than what it took in. What had expired by `at` is not in it, and is no longer
 * this tab's to take off. A server that does not say what it took in is taken at its word.
 */
function counted(inbox: InboxState, count: Partial<UnreadCount>, at: number): InboxState {
  if (count.unread === undefined) return inbox
  const { countedThrough } = count
  const gone = (id: string): boolean => (inbox.expiring.get(id)?.at ?? Number.POSITIVE_INFINITY) <= at
  const pending = new Set(
    [...inbox.pending].filter((id) => newer(id, countedThrough) && unreadShown(inbox, id) && !gone(id)),
  )
  const stale = [...inbox.expiredReplays].filter((id) => !newer(id, countedThrough)).length
  return {
    ...inbox,
    unread: Math.max(0, count.unread - stale) + pending.size,
    expiredReplays: new Set(),
    capped: count.unreadCapped === true,
    pending,
    expiring: new Map([...inbox.expiring].filter(([id]) => !gone(id))),
    ...(countedThrough === undefined ? {} : { countedThrough }),
  }
}

function applyReadState(inbox: InboxState, state: ReadState, now: number, at: number): InboxState {
  // Marks only ever grow, so what replays already said stays true; snoozes end, so the server's are the list.
  const marked = {
    ...inbox,
    ...(state.readBefore === undefined ? {} : { readBefore: state.readBefore }),
    read: new Set([...inbox.read, ...state.read]),
    dismissed: new Set([...inbox.dismissed, ...state.dismissed]),
    ...snoozesOf(state.snoozed, now),
  }
  return counted(marked, state, at)
}

function applyNotification(
  inbox: InboxState,
  frame: NotificationEnvelope,
  source: FrameSource,
  now: number,
): InboxState {
  const expiresAt = frame.expiresAt === undefined ? undefined : Date.parse(frame.expiresAt)
  // Expired before it arrived: neither listed nor counted here. Replayed, it is in the server's count.
  if (expiresAt !== undefined && expiresAt <= now) {
    if (!frame.replayed || frame.read === true || !unreadShown(inbox, frame.id)) return inbox
    return { ...inbox, expiredReplays: new Set([...inbox.expiredReplays, frame.id]) }
  }
  const key = threadKeyOf(frame)
  const newest = key === undefined ? undefined : inbox.threads.get(key)
  const next: InboxState = {
    ...inbox,
    read: frame.read === true ? new Set([...inbox.read, frame.id]) : inbox.read,
    returned: frame.snoozed === true ? new Set([...inbox.returned, frame.id]) : inbox.returned,
    threads:
      key === undefined || (newest !== undefined && newest > frame.id)
        ? inbox.threads
        : new Map([...inbox.threads, [key, frame.id]]),
    expiring:
      expiresAt === undefined
        ? inbox.expiring
        : new Map([
            ...inbox.expiring,
            [frame.id, { at: expiresAt, ...(key === undefined ? {} : { thread: key }) }],
          ]),
  }
  // Replayed and recent notifications (a snooze's return too) are in the count the `resumed` frame
  // brings, and so is a live one the last count already took in. A thread is counted once.
  const threadUnread = newest !== undefined && unreadShown(inbox, newest)
  const alreadyCounted = inbox.countedThrough !== undefined && !newer(frame.id, inbox.countedThrough)
  if (
    source !== 'live' ||
    frame.read === true ||
    frame.snoozed === true ||
    threadUnread ||
    alreadyCounted ||
    inbox.pending.has(frame.id)
  )
    return next
  const pending = new Set([...inbox.pending, frame.id])
  if (pending.size > MAX_PENDING) pending.delete([...pending].sort()[0] as string)
  return { ...next, unread: inbox.unread + 1, pending }
}

/**
 * The inbox after one server frame, received at `now`. The server stamps a count's frame when it
 * made the count, so its `timestamp` says what had expired by then.
 */
export function applyFrame(
  inbox: InboxState,
  frame: ServerFrame,
  source: FrameSource,
  now: number = Date.now(),
): InboxState {
  const at = Date.parse(frame.timestamp)
  const madeAt = Number.isNaN(at) ? now : at
  switch (frame.type) {
    case 'connection_established': {
      // A welcome whose inbox could not be read says nothing of it: what this tab knew stands.
      const { preferences, snoozed, unread } = frame.data
      const welcomed = {
        ...inbox,
        ...(preferences === undefined ? {} : { preferences }),
        ...(snoozed === undefined && unread === undefined ? {} : snoozesOf(snoozed, now)),
      }
      return counted(welcomed, frame.data, madeAt)
    }
    case 'resumed':
      return counted(inbox, frame.data, madeAt)
    case 'read_state':
      return applyReadState(inbox, frame.data, now, madeAt)
    case 'preferences':
      return { ...inbox, preferences: frame.data }
  }
  return isNotificationFrame(frame) ? applyNotification(inbox, frame, source, now) : inbox
}

/** The inbox once the snoozes over by `now` have ended: their entries are back in the list, unread. */
export function endSnoozes(inbox: InboxState, now: number): InboxState {
  const over = [...inbox.snoozed].filter(([, until]) => until <= now).map(([id]) => id)
  if (!over.length) return inbox
  return {
    ...inbox,
    snoozed: new Map([...inbox.snoozed].filter(([id]) => !over.includes(id))),
    returned: new Set([...inbox.returned, ...over]),
  }
}

/**
 * The inbox once what expired by `now` is gone: each one the count held (its thread's newest,
 * unread, and taken in by the last count or added here since) is taken off it.
 */
export function expire(inbox: InboxState, now: number): InboxState {
  const due = [...inbox.expiring].filter(([, each]) => each.at <= now)
  if (!due.length) return inbox
  const held = due.filter(
    ([id, { thread }]) =>
      unreadShown(inbox, id) &&
      (thread === undefined || inbox.threads.get(thread) === id) &&
      (inbox.pending.has(id) || !newer(id, inbox.countedThrough)),
  )
  const ids = new Set(due.map(([id]) => id))
  return {
    ...inbox,
    unread: Math.max(0, inbox.unread - held.length),
    expiring: new Map([...inbox.expiring].filter(([id]) => !ids.has(id))),
    pending: new Set([...inbox.pending].filter((id) => !ids.has(id))),
  }
}
