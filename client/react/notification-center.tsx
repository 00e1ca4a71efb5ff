import {
  type CSSProperties,
  type ReactElement,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import type { Severity } from '../../shared/protocol/notifications.js'
import { atLeast } from '../../shared/protocol/severity.js'
import type { ConnectionState } from '../core/connection-state.js'
import { threadKeyOf } from '../core/threads.js'
import type { FrameSource } from '../websocket-types.js'
import { styles } from './notification-styles.js'
import { present } from './presentation.js'
import { RecentPanel } from './recent-panel.js'
import { useNotifications } from './use-notifications.js'

export type ToastPosition = 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left'

export interface NotificationCenterProps {
  /** Where toasts appear. @default 'top-right' */
  position?: ToastPosition
  /** Toasts shown at once; older ones give way. @default 3 */
  maxToasts?: number
  /** Milliseconds before a toast hides itself. @default 5000 */
  autoHideDuration?: number
}

const DOT_COLOURS: Record<ConnectionState, string> = {
  open: '#16a34a',
  connecting: '#ca8a04',
  reconnecting: '#ca8a04',
  idle: '#9ca3af',
  closed: '#dc2626',
}

const STATE_LABELS: Record<ConnectionState, string> = {
  open: 'Connected',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  idle: 'Not connected',
  closed: 'Disconnected',
}

function Toast(props: {
  notification: NotificationEnvelope
  autoHideDuration: number
  onDismiss: (id: string) => void
}): ReactElement {
  const { notification, autoHideDuration, onDismiss } = props
  const shown = present(notification)
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(notification.id), autoHideDuration)
    return () => clearTimeout(timer)
  }, [notification.id, autoHideDuration, onDismiss])
  return (
    <div
      role={shown.urgent ? 'alert' : 'status'}
      data-testid="herald-toast"
      data-type={notification.type}
      style={{ ...styles.toast, borderLeftColor: shown.colour }}
    >
      <div style={styles.toastBody}>
        <strong style={{ color: shown.colour }}>{shown.title}</strong>
        {shown.message && <span style={styles.toastMessage}>{shown.message}</span>}
        {shown.progress !== undefined && (
          <progress
            value={shown.progress}
            max={100}
            aria-label={`${shown.title} progress`}
            style={styles.progress}
          />
        )}
      </div>
      <button
        type="button"
        aria-label="Dismiss notification"
        onClick={() => onDismiss(notification.id)}
        style={styles.dismiss}
      >
        ×
      </button>
    </div>
  )
}

/** The bell: opens the recent notifications, with the user's unread count from the server. */
function Bell(props: {
  unread: number
  capped: boolean
  open: boolean
  panelId: string
  onClick: () => void
}): ReactElement {
  const { unread, capped, open, panelId, onClick } = props
  return (
    <button
      type="button"
      aria-label={`Notifications, ${unread}${capped ? '+' : ''} unread`}
      aria-expanded={open}
      aria-controls={panelId}
      onClick={onClick}
      style={styles.bell}
    >
      <svg
        aria-hidden="true"
        width="20"
        height="20"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.7 21a2 2 0 0 1-3.4 0" />
      </svg>
      <span
        aria-hidden="true"
        data-testid="herald-unread"
        style={{ ...styles.badge, visibility: unread ? 'visible' : 'hidden' }}
      >
        {unread > 99 || capped ? '99+' : unread}
      </span>
    </button>
  )
}

interface Toasts {
  toasts: NotificationEnvelope[]
  onNotification: (notification: NotificationEnvelope, source: FrameSource) => void
  dismiss: (id: string) => void
}

/** A toast's key: a thread (an upload's statuses) shows as one toast, updated in place. */
const toastKey = (notification: NotificationEnvelope): string => threadKeyOf(notification) ?? notification.id

/**
 * The toasts on screen: the latest `maxToasts` unread arrivals, a thread's updated in place, and of
 * alerts only those at or above the user's `minSeverity.toast` (read when each arrives).
 */
function useToasts(maxToasts: number, toastFloor: RefObject<Severity | undefined>): Toasts {
  const [toasts, setToasts] = useState<NotificationEnvelope[]>([])
  const onNotification = useCallback(
    (notification: NotificationEnvelope, source: FrameSource) => {
      if (source === 'recent' || notification.read) return
      if (notification.type === 'alert' && !atLeast(notification.data.severity, toastFloor.current)) return
      const key = toastKey(notification)
      setToasts((previous) =>
        [...previous.filter((toast) => toastKey(toast) !== key), notification].slice(-maxToasts),
      )
    },
    [maxToasts, toastFloor],
  )
  const dismiss = useCallback(
    (id: string) => setToasts((previous) => previous.filter((toast) => toast.id !== id)),
    [],
  )
  return { toasts, onNotification, dismiss }
}

/**
 * A bell with the unread count and the recent notifications (loaded from history on connect), a
 * connection-status dot, and toasts for what arrives while the page is open.
 */
export function NotificationCenter({
  position = 'top-right',
  maxToasts = 3,
  autoHideDuration = 5000,
}: NotificationCenterProps): ReactElement {
  const [open, setOpen] = useState(false)
  const panelId = useId()
  const toastFloor = useRef<Severity | undefined>(undefined)
  const { toasts, onNotification, dismiss } = useToasts(maxToasts, toastFloor)
  const inbox = useNotifications(onNotification)
  const { connectionState, notifications, isRead } = inbox
  toastFloor.current = inbox.preferences?.minSeverity?.toast

  useEffect(() => {
    if (!open) return
    const close = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') setOpen(false)
    }
    document.addEventListener('keydown', close)
    return () => document.removeEventListener('keydown', close)
  }, [open])

  // Opening the panel reads what it shows, in every tab and on every device.
  const toggle = (): void => {
    if (!open) {
      const unread = notifications.filter((notification) => !isRead(notification.id))
      if (unread.length) inbox.markRead(unread.map((notification) => notification.id))
    }
    setOpen(!open)
  }

  return (
    <div style={styles.root}>
      <span
        role="status"
        aria-label={STATE_LABELS[connectionState]}
        title={STATE_LABELS[connectionState]}
        data-testid="herald-connection"
        data-state={connectionState}
        style={{ ...styles.dot, background: DOT_COLOURS[connectionState] }}
      />
      <Bell
        unread={inbox.unreadCount}
        capped={inbox.unreadCapped}
        open={open}
        panelId={panelId}
        onClick={toggle}
      />
      {open && (
        <RecentPanel
          id={panelId}
          notifications={notifications}
          isRead={isRead}
          onClear={inbox.clearNotifications}
          onMarkAllRead={inbox.markAllRead}
          onDismiss={(id) => inbox.dismiss([id])}
          onSnooze={(id, until) => inbox.snooze([id], until)}
        />
      )}
      <section aria-label="Notification toasts" style={{ ...styles.toasts, ...CORNERS[position] }}>
        {/* Dismissed or snoozed, here or elsewhere: its toast goes too. */}
        {toasts
          .filter((notification) => !inbox.isDismissed(notification.id) && !inbox.isSnoozed(notification.id))
          .map((notification) => (
            <Toast
              key={toastKey(notification)}
              notification={notification}
              autoHideDuration={autoHideDuration}
              onDismiss={dismiss}
            />
          ))}
      </section>
    </div>
  )
}

const CORNERS: Record<ToastPosition, CSSProperties> = {
  'top-right': { top: 16, right: 16 },
  'top-left': { top: 16, left: 16 },
  'bottom-right': { bottom: 16, right: 16, flexDirection: 'column-reverse' },
  'bottom-left': { bottom: 16, left: 16, flexDirection: 'column-reverse' },
}
