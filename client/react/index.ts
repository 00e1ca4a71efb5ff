// `herald/react`: hooks and components over the shared client.
export type { Preferences } from '../../shared/protocol/preferences.js'
export { defaultHeraldUrl, type HeraldConfig, HeraldProvider } from './herald-provider.js'
export { LogStream, type LogStreamProps } from './log-stream.js'
export {
  NotificationCenter,
  type NotificationCenterProps,
  type ToastPosition,
} from './notification-center.js'
export { useHeraldIdentity } from './use-herald-identity.js'
export { type LogEnvelope, MAX_LOGS, type UseLogStreamResult, useLogStream } from './use-log-stream.js'
export { MAX_NOTIFICATIONS, type UseNotificationsResult, useNotifications } from './use-notifications.js'
export { type UsePushResult, usePush } from './use-push.js'
