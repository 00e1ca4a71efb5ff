import { useCallback, useState } from 'react'
import type { NotificationEnvelope, ServerFrame } from '../../shared/protocol/frames.js'
import type { Topic } from '../../shared/protocol/topics.js'
import { ConnectionState } from '../core/connection-state.js'
import { EMPTY_INBOX, type InboxState, isRead } from '../core/inbox-state.js'
import { insertById } from '../core/ordered.js'
import type { FrameSource } from '../websocket-types.js'
import { useHeraldSocket } from './use-herald-socket.js'

/** How many notifications the hook keeps, newest first. */
export const MAX_NOTIFICATIONS = 100

const SHOWN = new Set(['alert', 'system', 'upload_status'])
/** The notifications this hook lists: every kind but log events, which `useLogStream` shows. */
const isShown = (frame: ServerFrame): frame is NotificationEnvelope => SHOWN.has(frame.type)

const uploadOf = (notification: NotificationEnvelope): string | undefined =>
  notification.type === 'upload_status' ? notification.data.upload_id : undefined

/** The list, newest first, with `notification` in its place: an upload's later status replaces its earlier one. */
function withNotification(
  list: NotificationEnvelope[],
  notification: NotificationEnvelope,
): NotificationEnvelope[] {
  const upload = uploadOf(notification)
  const earlier = list.find((each) => upload !== undefined && uploadOf(each) === upload)
  if (earlier && earlier.id > notification.id) return list
  const others = earlier ? list.filter((each) => each !== earlier) : list
  return insertById([...others].reverse(), notification)
    .reverse()
    .slice(0, MAX_NOTIFICATIONS)
}

/** What {@link useNotifications} returns: the seed's hook, plus the inbox state. */
export interface UseNotificationsResult {
  isConnected: boolean
  connectionState: ConnectionState
  /** Newest first, without what was dismissed in any tab or on any device. */
  notifications: NotificationEnvelope[]
  /** Empties this hook's list; nothing is marked read or dismissed. */
  clearNotifications: () => void
  subscribe: (topics: Topic[]) => void
  /** The user's unread notifications, as every tab and device shows them. */
  unreadCount: number
  /** More than 999 unread: `unreadCount` is a floor. */
  unreadCapped: boolean
  isRead: (id: string) => boolean
  /** Dismissed in any tab or on any device. */
  isDismissed: (id: string) => boolean
  markRead: (ids: string[]) => void
  markAllRead: () => void
  dismiss: (ids: string[]) => void
}

/**
 * The notifications endpoint (alerts, system notices, upload status), with the seed's shape plus
 * the user's inbox state, synced by the server across tabs and devices. The list starts with the
 * most recent history and grows live, an upload as one entry updated in place; `onNotification`
 * also hears where each came from (`recent` history, `missed` while reconnecting, or `live`).
 */
export function useNotifications(
  onNotification?: (notification: NotificationEnvelope, source: FrameSource) => void,
): UseNotificationsResult {
  const [notifications, setNotifications] = useState<NotificationEnvelope[]>([])
  const [inbox, setInbox] = useState<InboxState>(EMPTY_INBOX)
  const { state, service } = useHeraldSocket(
    'notifications',
    (frame: ServerFrame, source) => {
      if (service.current) setInbox(service.current.inbox)
      if (frame.type === 'read_state') {
        const dismissed = new Set(frame.data.dismissed)
        setNotifications((previous) => previous.filter((each) => !dismissed.has(each.id)))
      }
      if (!isShown(frame)) return
      setNotifications((previous) => withNotification(previous, frame))
      onNotification?.(frame, source)
    },
    { loadRecent: true },
  )
  const clearNotifications = useCallback(() => setNotifications([]), [])
  const subscribe = useCallback((topics: Topic[]) => service.current?.subscribe(topics), [service])
  const markRead = useCallback((ids: string[]) => service.current?.markRead(ids), [service])
  const markAllRead = useCallback(() => service.current?.markAllRead(), [service])
  const dismiss = useCallback((ids: string[]) => service.current?.dismiss(ids), [service])
  return {
    isConnected: state === ConnectionState.Open,
    connectionState: state,
    notifications: notifications.filter((each) => !inbox.dismissed.has(each.id)),
    clearNotifications,
    subscribe,
    unreadCount: inbox.unread,
    unreadCapped: inbox.capped,
    isRead: (id: string) => isRead(inbox, id),
    isDismissed: (id: string) => inbox.dismissed.has(id),
    markRead,
    markAllRead,
    dismiss,
  }
}
