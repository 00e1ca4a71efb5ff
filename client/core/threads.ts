import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import type { FrameSource } from '../websocket-types.js'
import { insertById } from './ordered.js'

/**
 * The thread a notification joins (docs/architecture.md, Threads): the key the server sent, or for
 * an upload status from a server before threads, its upload, as the server keys it now.
 */
export function threadKeyOf(notification: NotificationEnvelope): string | undefined {
  if (notification.thread) return notification.thread.key
  return notification.type === 'upload_status' ? `upload:${notification.data.upload_id}` : undefined
}

/** Whether a notification is past its `expiresAt` at `now`. */
export function hasExpired(notification: NotificationEnvelope, now: number): boolean {
  return notification.expiresAt !== undefined && Date.parse(notification.expiresAt) <= now
}

/**
 * How many notifications the entry stands for once `notification` joins it. A recent page (a
 * `resume` without `since`, a snooze's return included) says how many the thread holds; anything
 * else (live, or missed while away) is one more than the entry had.
 */
function countAfter(
  entry: NotificationEnvelope | undefined,
  notification: NotificationEnvelope,
  source: FrameSource,
): number {
  const given = notification.thread?.count
  if (given !== undefined && (source === 'recent' || notification.snoozed === true)) return given
  if (!entry) return 1
  const had = entry.thread?.count ?? 1
  return entry.id === notification.id ? had : had + 1
}

/**
 * An inbox list, newest first, with `notification` in its place: a notification of a thread
 * replaces the thread's entry when newer, and the entry's `thread.count` is how many notifications
 * of the thread this client knows of. One that came twice (a snooze's return) replaces itself, and
 * one already expired is not listed.
 *
 * @example listed([], upload, 'live', Date.now()) // [{ ...upload, thread: { key: 'upload:u1', count: 1 } }]
 */
export function listed(
  list: readonly NotificationEnvelope[],
  notification: NotificationEnvelope,
  source: FrameSource,
  now: number,
): NotificationEnvelope[] {
  if (hasExpired(notification, now)) return [...list]
  const key = threadKeyOf(notification)
  const entry = list.find((each) =>
    key === undefined ? each.id === notification.id : threadKeyOf(each) === key,
  )
  const joined =
    key === undefined
      ? notification
      : { ...notification, thread: { key, count: countAfter(entry, notification, source) } }
  // A thread's older notification arriving late (fan-outs run side by side) only adds to its count.
  const shown = entry && entry.id > joined.id ? { ...entry, thread: joined.thread } : joined
  const others = entry ? list.filter((each) => each !== entry) : list
  return insertById([...others].reverse(), shown).reverse()
}
