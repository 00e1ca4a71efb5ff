import type { NotificationEnvelope, ReadState, UnreadCount } from '../protocol/frames.js'
import { type InboxPreferences, inboxAccepts } from '../protocol/preference-rules.js'
import { type Header, headerOfEnvelope } from '../store/history-store.js'
import type { InboxState } from '../store/inbox-store.js'

/** Counts are exact up to this; above it the frame says `unreadCapped`. */
export const UNREAD_CAP = 999
/** Ids listed in a `read_state` frame at most, per list, newest first: it must fit one frame. */
const LISTED_IDS = 1_000

/** How the inbox is seen at one moment: the user's marks, their preferences, and the time (a snooze ends). */
export interface InboxLens {
  state: InboxState
  preferences?: InboxPreferences | undefined
  now: number
}

export function isRead(state: InboxState, id: string): boolean {
  return (state.readBefore !== undefined && id < state.readBefore) || state.read.has(id)
}

/** Snoozed and not back yet: out of the count and the list. */
const isAsleep = (lens: InboxLens, id: string): boolean => {
  const snooze = lens.state.snoozed.get(id)
  return snooze !== undefined && Date.parse(snooze.until) > lens.now
}

/** Back from a snooze: unread until it is marked read or dismissed, which ends the snooze. */
const hasReturned = (lens: InboxLens, id: string): boolean =>
  lens.state.snoozed.has(id) && !isAsleep(lens, id)

/**
 * The entries back from a snooze that history no longer lists, from the copies the snoozes kept:
 * still an entry each, unless it has expired since or the user's preferences now mute it.
 */
function returnedBeyond(lens: InboxLens, listed: ReadonlySet<string>): NotificationEnvelope[] {
  return [...lens.state.snoozed]
    .filter(([id]) => !listed.has(id) && hasReturned(lens, id))
    .map(([, snooze]) => JSON.parse(snooze.envelope) as NotificationEnvelope)
    .filter(
      (envelope) =>
        (envelope.expiresAt === undefined || Date.parse(envelope.expiresAt) > lens.now) &&
        inboxAccepts(lens.preferences, headerOfEnvelope(envelope)),
    )
}

/** From items newest first, the newest of each thread (the others are folded into it). */
export function newestPerThread<T>(
  newestFirst: readonly T[],
  threadOf: (each: T) => string | undefined,
): T[] {
  const seen = new Set<string>()
  return newestFirst.filter((each) => {
    const thread = threadOf(each)
    if (thread === undefined) return true
    if (seen.has(thread)) return false
    seen.add(thread)
    return true
  })
}

/**
 * The unread entries among `newestFirst` (a thread once, by its newest), exact up to
 * {@link UNREAD_CAP}, and the newest id the count saw: a client adds what reached it live after
 * that (docs/how-it-works.md, Inbox state). What the preferences mute is not counted, nor what is
 * snoozed; what came back from a snooze is.
 */
export function countUnread(newestFirst: readonly Header[], lens: InboxLens): UnreadCount {
  const countedThrough = newestFirst[0]?.id ?? ''
  const accepted = newestFirst.filter((header) => inboxAccepts(lens.preferences, header))
  const entries = newestPerThread(accepted, (header) => header.thread)
  const listed = new Set(entries.map((header) => header.id))
  const returned = returnedBeyond(lens, listed).map((envelope) => envelope.id)
  let unread = 0
  for (const id of [...entries.map((header) => header.id), ...returned]) {
    if (lens.state.dismissed.has(id) || isAsleep(lens, id)) continue
    if (isRead(lens.state, id) && !hasReturned(lens, id)) continue
    if (++unread > UNREAD_CAP) return { unread: UNREAD_CAP, unreadCapped: true, countedThrough }
  }
  return { unread, countedThrough }
}

const newest = (ids: Iterable<string>): string[] => [...ids].sort().reverse().slice(0, LISTED_IDS)

export function readStateOf(lens: InboxLens, count: UnreadCount): ReadState {
  const { state } = lens
  // Every snooze not ended yet: one whose time has passed is back, unread until marked.
  const snoozed = [...state.snoozed]
  return {
    ...count,
    read: newest(state.read),
    dismissed: newest(state.dismissed),
    all: state.readBefore !== undefined,
    ...(state.readBefore === undefined ? {} : { readBefore: state.readBefore }),
    ...(snoozed.length
      ? { snoozed: Object.fromEntries(snoozed.map(([id, snooze]) => [id, snooze.until])) }
      : {}),
  }
}

/**
 * History as the inbox shows it, oldest first: muted, dismissed and snoozed notifications gone,
 * each flagged `read`. The recent list (`recent`: a `resume` without `since`) has a thread as its
 * newest notification with how many this history holds, and the entries back from a snooze,
 * flagged `snoozed`; a page of missed notifications lists each, for the client to fold.
 */
export function inboxView(
  oldestFirst: readonly NotificationEnvelope[],
  lens: InboxLens,
  options: { recent?: boolean } = {},
): NotificationEnvelope[] {
  const accepted = oldestFirst.filter((envelope) =>
    inboxAccepts(lens.preferences, headerOfEnvelope(envelope)),
  )
  const counts = new Map<string, number>()
  for (const envelope of accepted) {
    const thread = headerOfEnvelope(envelope).thread
    if (thread !== undefined) counts.set(thread, (counts.get(thread) ?? 0) + 1)
  }
  const entries = options.recent
    ? newestPerThread([...accepted].reverse(), (envelope) => headerOfEnvelope(envelope).thread)
    : accepted
  const listed = new Set(entries.map((envelope) => envelope.id))
  const returned = options.recent ? returnedBeyond(lens, listed) : []
  return [...entries, ...returned]
    .filter((envelope) => !lens.state.dismissed.has(envelope.id) && !isAsleep(lens, envelope.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((envelope) => {
      const thread = headerOfEnvelope(envelope).thread
      const back = hasReturned(lens, envelope.id)
      const count = options.recent ? { count: counts.get(thread ?? '') ?? 1 } : {}
      return {
        ...envelope,
        ...(thread === undefined ? {} : { thread: { key: thread, ...count } }),
        read: !back && isRead(lens.state, envelope.id),
        ...(back ? { snoozed: true } : {}),
      }
    })
}
