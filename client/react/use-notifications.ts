import { useCallback, useState } from 'react'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import type { Topic } from '../../shared/protocol/topics.js'
import { ConnectionState } from '../core/connection-state.js'
import { insertById } from '../core/ordered.js'
import type { FrameSource } from '../websocket-types.js'
import { useHeraldSocket } from './use-herald-socket.js'

/** How many notifications the hook keeps, newest first. */
export const MAX_NOTIFICATIONS = 100

const NOTIFICATION_TYPES = new Set(['alert', 'system', 'upload_status'])

/**
 * The notifications endpoint (alerts, system notices, upload status), with the seed's shape. The
 * list starts with the most recent history and grows live; `onNotification` also hears where
 * each came from (`recent` history, `missed` while reconnecting, or `live`).
 */
export function useNotifications(
  onNotification?: (notification: NotificationEnvelope, source: FrameSource) => void,
) {
  const [notifications, setNotifications] = useState<NotificationEnvelope[]>([])
  const { state, service } = useHeraldSocket(
    'notifications',
    (frame, source) => {
      if (!NOTIFICATION_TYPES.has(frame.type)) return
      const notification = frame as NotificationEnvelope
      // Kept newest first: the reverse of the id order.
      setNotifications((previous) =>
        insertById([...previous].reverse(), notification)
          .reverse()
          .slice(0, MAX_NOTIFICATIONS),
      )
      onNotification?.(notification, source)
    },
    { loadRecent: true },
  )
  const clearNotifications = useCallback(() => setNotifications([]), [])
  const subscribe = useCallback((topics: Topic[]) => service.current?.subscribe(topics), [service])
  return {
    isConnected: state === ConnectionState.Open,
    connectionState: state,
    notifications,
    clearNotifications,
    subscribe,
  }
}
