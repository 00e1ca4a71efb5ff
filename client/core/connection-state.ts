/** Where a {@link WebSocketService} is in its life; explicit so a UI never guesses from booleans. */
export const ConnectionState = {
  /** Not started, or stopped by `disconnect()`. */
  Idle: 'idle',
  /** Opening a socket (first time). */
  Connecting: 'connecting',
  /** Socket open and `connection_established` received. */
  Open: 'open',
  /** Lost the socket; waiting to try again. */
  Reconnecting: 'reconnecting',
  /** Gave up after the maximum number of attempts. */
  Closed: 'closed',
} as const
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState]
