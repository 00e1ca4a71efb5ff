import type { Alert, LogEvent, UploadStatus } from '../protocol/notifications.js'
import { createPublisher, type Publisher } from './publisher.js'

export { createPublisher, type Published, type Publisher, type PublisherOptions } from './publisher.js'

// Module-level functions for code ported from the seed, which called them without a client:
// the first call builds a publisher from the environment (HERALD_TOPIC_ARN, AWS_REGION).
let ambient: Publisher | undefined
const publisher = (): Publisher => {
  ambient ??= createPublisher()
  return ambient
}

export const sendAlertNotification = (userId: string | null | undefined, alert: Alert) =>
  publisher().sendAlertNotification(userId, alert)
export const sendLogStream = (log: LogEvent) => publisher().sendLogStream(log)
export const sendSystemNotification = (notice: Parameters<Publisher['sendSystemNotification']>[0]) =>
  publisher().sendSystemNotification(notice)
export const sendUploadStatus = (userId: string, status: UploadStatus) =>
  publisher().sendUploadStatus(userId, status)
export const notifyLogIngested = (log: LogEvent) => publisher().notifyLogIngested(log)
