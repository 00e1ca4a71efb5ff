import type { ReactElement } from 'react'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import { styles } from './notification-styles.js'
import { present } from './presentation.js'
import { SnoozeMenu } from './snooze-menu.js'

interface PanelProps {
  id: string
  notifications: NotificationEnvelope[]
  isRead: (id: string) => boolean
  onClear: () => void
  onMarkAllRead: () => void
  onDismiss: (id: string) => void
  onSnooze: (id: string, until: Date) => void
}

/** How many notifications an entry stands for, when more than one; an upload's statuses are its progress. */
function ThreadCount({ notification }: { notification: NotificationEnvelope }): ReactElement | null {
  const count = notification.thread?.count ?? 1
  if (count < 2 || notification.type === 'upload_status') return null
  return (
    <span data-testid="herald-thread-count" style={styles.threadCount}>
      <span aria-hidden="true">×{count}</span>
      <span style={styles.visuallyHidden}>{count} notifications</span>
    </span>
  )
}

/**
 * The list of recent notifications, newest first, unread ones marked, a thread as one entry with
 * its count, with Mark all read, Clear, a snooze menu and ×.
 */
export function RecentPanel({
  id,
  notifications,
  isRead,
  onClear,
  onMarkAllRead,
  onDismiss,
  onSnooze,
}: PanelProps): ReactElement {
  return (
    <div id={id} role="dialog" aria-label="Recent notifications" style={styles.panel}>
      <div style={styles.panelHeader}>
        <strong>Notifications</strong>
        <span style={styles.actions}>
          <button type="button" onClick={onMarkAllRead}>
            Mark all read
          </button>
          <button type="button" onClick={onClear} disabled={notifications.length === 0}>
            Clear
          </button>
        </span>
      </div>
      {notifications.length === 0 ? (
        <p style={styles.empty}>Nothing yet.</p>
      ) : (
        <ul style={styles.list}>
          {notifications.map((notification) => {
            const shown = present(notification)
            const read = isRead(notification.id)
            return (
              <li
                key={notification.id}
                data-testid="herald-item"
                data-read={read}
                style={{ ...styles.item, ...(read ? {} : styles.unread), borderLeftColor: shown.colour }}
              >
                <span style={styles.itemBody}>
                  <span style={styles.itemTitle}>
                    <strong>{shown.title}</strong>
                    <ThreadCount notification={notification} />
                  </span>
                  <span style={styles.toastMessage}>{shown.message}</span>
                  {shown.progress !== undefined && notification.type === 'upload_status' && (
                    <progress
                      value={shown.progress}
                      max={100}
                      aria-label={`${shown.title} progress`}
                      style={styles.progress}
                    />
                  )}
                  <time dateTime={notification.timestamp} style={styles.time}>
                    {new Date(notification.timestamp).toLocaleTimeString()}
                  </time>
                </span>
                <span style={styles.itemActions}>
                  <SnoozeMenu title={shown.title} onSnooze={(until) => onSnooze(notification.id, until)} />
                  <button
                    type="button"
                    aria-label={`Dismiss ${shown.title} everywhere`}
                    onClick={() => onDismiss(notification.id)}
                    style={styles.dismiss}
                  >
                    ×
                  </button>
                </span>
              </li>
            )
          })}
        </ul>
      )}
    </div>
  )
}
