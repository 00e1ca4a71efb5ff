// `herald/client`: the framework-free browser client.
export type {
  ClientMessage,
  Envelope,
  LogFilters,
  NotificationEnvelope,
  Thread,
} from '../shared/protocol/frames.js'
export type {
  Alert,
  LogEvent,
  LogLevel,
  Severity,
  SystemNotice,
  UploadStatus,
} from '../shared/protocol/notifications.js'
export type { Preferences } from '../shared/protocol/preferences.js'
export type { Stream, Topic } from '../shared/protocol/topics.js'
export { type BackoffOptions, DEFAULT_BACKOFF, reconnectDelay } from './core/backoff.js'
export { ConnectionState } from './core/connection-state.js'
export type { Expiring, InboxState } from './core/inbox-state.js'
export { PushError, type PushErrorCode } from './errors.js'
export { disablePush, enablePush, isPushSupported, type PushOptions } from './web-push.js'
export { WebSocketService } from './websocket-service.js'
export type {
  FrameListener,
  FrameSource,
  HeraldIdentity,
  WebSocketConstructor,
  WebSocketLike,
  WebSocketServiceOptions,
} from './websocket-types.js'
