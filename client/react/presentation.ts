import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import type { LogLevel, SystemSeverity } from '../../shared/protocol/notifications.js'

// Colours chosen for at least 4.5:1 contrast with white text. System notices take the alert
// severities and the seed's info, warning and error.
const SEVERITY_COLOURS: Record<SystemSeverity, string> = {
  critical: '#991b1b',
  high: '#c2410c',
  error: '#b91c1c',
  medium: '#92400e',
  warning: '#92400e',
  low: '#1d4ed8',
  info: '#1d4ed8',
}

export const LEVEL_COLOURS: Record<LogLevel, string> = {
  debug: '#4b5563',
  info: '#1d4ed8',
  warning: '#92400e',
  error: '#b91c1c',
  critical: '#7f1d1d',
}

const UPLOAD_COLOURS = { processing: '#1d4ed8', completed: '#15803d', failed: '#b91c1c' } as const

export interface Presented {
  title: string
  message: string
  colour: string
  /** Whether it should interrupt a screen reader (role="alert") rather than wait (role="status"). */
  urgent: boolean
  progress?: number
}

/** What a person sees of a notification, whatever its type. */
export function present(notification: NotificationEnvelope): Presented {
  switch (notification.type) {
    case 'alert':
    case 'system': {
      const { title, message, severity } = notification.data
      return {
        title,
        message,
        colour: SEVERITY_COLOURS[severity],
        urgent: severity === 'critical' || severity === 'high' || severity === 'error',
      }
    }
    case 'upload_status': {
      const { filename, status, progress, message } = notification.data
      return {
        title: `${filename}: ${status}`,
        message: message ?? `${Math.round(progress)}%`,
        colour: UPLOAD_COLOURS[status],
        urgent: status === 'failed',
        progress,
      }
    }
    case 'log_event':
      return {
        title: notification.data.level,
        message: notification.data.message,
        colour: LEVEL_COLOURS[notification.data.level],
        urgent: false,
      }
  }
}
