import { useCallback, useState } from 'react'
import type { NotificationEnvelope, ServerFrame } from '../../shared/protocol/frames.js'
import type { Preferences } from '../../shared/protocol/preferences.js'
import type { Topic } from '../../shared/protocol/topics.js'
import { ConnectionState } from '../core/connection-state.js'
import { EMPTY_INBOX, type InboxState, isRead } from '../core/inbox-state.js'
import { hasExpired, listed } from '../core/threads.js'
import type { FrameSource } from '../websocket-types.js'
import { useHeraldSocket } from './use-herald-socket.js'

/** How many notifications the hook keeps, newest first. */
export const MAX_NOTIFICATIONS = 100

const SHOWN = new Set(['alert', 'system', 'upload_status'])
/** The notifications this hook lists: every kind but log events, which `useLogStream` shows. */
const isShown = (frame: ServerFrame): frame is NotificationEnvelope => SHOWN.has(frame.type)

/** The server's refusals a caller is told of, by the request they answer. */
interface Refusals {
  preferences?: string
  snooze?: string
}
const REFUSED: Partial<Record<string, keyof Refusals>> = {
  invalid_preferences: 'preferences',
  invalid_snooze: 'snooze',
}

/** The list without what expired by now; the same list when nothing did. */
function unexpired(list: NotificationEnvelope[]): NotificationEnvelope[] {
  const now = Date.now()
  return list.some((each) => hasExpired(each, now)) ? list.filter((each) => !hasExpired(each, now)) : list
}

/** What {@link useNotifications} returns: the seed's hook, plus the inbox state and controls. */
export interface UseNotificationsResult {
  isConnected: boolean
  connectionState: ConnectionState
  /**
   * Newest first, one entry per thread (its newest notification, whose `thread.count` is how many
   * the thread holds), without what was dismissed or is snoozed in any tab or on any device, or
   * has expired.
   */
  notifications: NotificationEnvelope[]
  /** Empties this hook's list; nothing is marked read or dismissed. */
  clearNotifications: () => void
  subscribe: (topics: Topic[]) => void
  /** The user's unread notifications, as every tab and device shows them: a thread counts once. */
  unreadCount: number
  /** More than 999 unread: `unreadCount` is a floor. */
  unreadCapped: boolean
  isRead: (id: string) => boolean
  /** Dismissed in any tab or on any device. */
  isDismissed: (id: string) => boolean
  /** Snoozed in any tab or on any device, and not back yet. */
  isSnoozed: (id: string) => boolean
  markRead: (ids: string[]) => void
  markAllRead: () => void
  dismiss: (ids: string[]) => void
  /**
   * Out of the list and the unread count everywhere until `until` (at most 30 days ahead); then back,
   * unread.
   */
  snooze: (ids: string[], until: Date) => void
  /** Why the server refused the last `snooze`; cleared by the next. */
  snoozeError: string | undefined
  /** The user's preferences, as every tab shows them; undefined until the server says them. */
  preferences: Preferences | undefined
  /** Replaces the user's preferences everywhere. */
  setPreferences: (preferences: Preferences) => void
  /** Why the server refused the last `setPreferences` (they stayed as they were); cleared by the next. */
  preferencesError: string | undefined
}

/**
 * The notifications endpoint (alerts, system notices, upload status), with the seed's shape plus
 * the user's inbox state and preferences, synced by the server across tabs and devices. The list
 * starts with the most recent history and grows live, a thread (an upload's statuses, or a
 * publisher's `threadKey`) as one entry updated in place; `onNotification` also hears where each
 * came from (`recent` history, `missed` while reconnecting, or `live`).
 */
export function useNotifications(
  onNotification?: (notification: NotificationEnvelope, source: FrameSource) => void,
): UseNotificationsResult {
  const [notifications, setNotifications] = useState<NotificationEnvelope[]>([])
  const [inbox, setInbox] = useState<InboxState>(EMPTY_INBOX)
  const [refusals, setRefusals] = useState<Refusals>({})
  const { state, service } = useHeraldSocket(
    'notifications',
    (frame: ServerFrame, source) => {
      if (frame.type === 'read_state') {
        const dismissed = new Set(frame.data.dismissed)
        setNotifications((previous) => previous.filter((each) => !dismissed.has(each.id)))
      }
      if (frame.type === 'error') {
        const refused = REFUSED[frame.data.code]
        if (refused) setRefusals((previous) => ({ ...previous, [refused]: frame.data.message }))
      }
      if (!isShown(frame) || hasExpired(frame, Date.now())) return
      setNotifications((previous) => listed(previous, frame, source, Date.now()).slice(0, MAX_NOTIFICATIONS))
      onNotification?.(frame, source)
    },
    {
      loadRecent: true,
      onInboxChange: (next) => {
        setInbox(next)
        setNotifications(unexpired)
      },
    },
  )
  const clearNotifications = useCallback(() => setNotifications([]), [])
  const subscribe = useCallback((topics: Topic[]) => service.current?.subscribe(topics), [service])
  const markRead = useCallback((ids: string[]) => service.current?.markRead(ids), [service])
  const markAllRead = useCallback(() => service.current?.markAllRead(), [service])
  const dismiss = useCallback((ids: string[]) => service.current?.dismiss(ids), [service])
  const snooze = useCallback(
    (ids: string[], until: Date) => {
      setRefusals(({ snooze: _, ...others }) => others)
      service.current?.snooze(ids, until)
    },
    [service],
  )
  const setPreferences = useCallback(
    (preferences: Preferences) => {
      setRefusals(({ preferences: _, ...others }) => others)
      service.current?.setPreferences(preferences)
    },
    [service],
  )
  return {
    isConnected: state === ConnectionState.Open,
    connectionState: state,
    notifications: notifications.filter(
      (each) => !inbox.dismissed.has(each.id) && !inbox.snoozed.has(each.id),
    ),
    clearNotifications,
    subscribe,
    unreadCount: inbox.unread,
    unreadCapped: inbox.capped,
    isRead: (id: string) => isRead(inbox, id),
    isDismissed: (id: string) => inbox.dismissed.has(id),
    isSnoozed: (id: string) => inbox.snoozed.has(id),
    markRead,
    markAllRead,
    dismiss,
    snooze,
    snoozeError: refusals.snooze,
    preferences: inbox.preferences,
    setPreferences,
    preferencesError: refusals.preferences,
  }
}
