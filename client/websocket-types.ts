import type { ServerFrame } from '../shared/protocol/frames.js'
import type { Stream } from '../shared/protocol/topics.js'
import type { ConnectionState } from './core/connection-state.js'
import type { Timers, WakeSignals } from './core/heartbeat.js'
import type { InboxState } from './core/inbox-state.js'

/**
 * How a notification reached the client: `live` as it happened, `missed` through `resume` after a
 * reconnect, `recent` from the history loaded on first connect (`loadRecent`).
 */
export type FrameSource = 'live' | 'missed' | 'recent'

/** Who the server says this connection is, from its `connection_established` frame. */
export interface HeraldIdentity {
  connectionId: string
  userId: string
  /** Only in a multi-tenant deployment. */
  tenant?: string
  /** The groups the token carried; group publishes reach them. */
  groups: string[]
}

export interface FrameListener {
  onMessage?: (frame: ServerFrame, source: FrameSource) => void
  onStateChange?: (state: ConnectionState) => void
  /** The user's inbox changed: by a frame (before `onMessage` hears it), an ended snooze or an expiry. */
  onInboxChange?: (inbox: InboxState) => void
}

/** The part of the browser's WebSocket the service uses; `ws` in Node has the same shape. */
export interface WebSocketLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface WebSocketServiceOptions {
  /** The API's URL, e.g. `wss://abc.execute-api.eu-west-1.amazonaws.com/prod` or `ws://localhost:3001`. */
  url: string
  /** A token; or use `getToken`, called again before every reconnect. */
  token?: string
  getToken?: () => string | Promise<string>
  /** `logs` connects to the log stream. @default 'notifications' */
  stream?: Stream
  onMessage?: (frame: ServerFrame, source: FrameSource) => void
  onConnect?: () => void
  onDisconnect?: (info: { code: number; reason: string; willReconnect: boolean }) => void
  onStateChange?: (state: ConnectionState) => void
  /** The first reconnect delay; later ones double up to 5x, with jitter. @default 3000 */
  reconnectDelay?: number
  /** @default 10 */
  maxReconnectAttempts?: number
  /**
   * The longest the client stays silent before a `keepalive`: API Gateway's 10-minute idle timeout,
   * less a minute a hidden tab's timers may lag. @default 510000 (8.5 min)
   */
  heartbeatIntervalMs?: number
  /** @default 10000 */
  heartbeatTimeoutMs?: number
  /** Reconnect on purpose before API Gateway's 2-hour cut. @default 6900000 (1 h 55 min) */
  maxConnectionAgeMs?: number
  /** On the first connection, load the most recent notifications from history. @default false */
  loadRecent?: boolean
  /** @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  timers?: Timers
  /** The clock the heartbeat reads to notice the machine slept. @default Date.now */
  now?: () => number
  /** When to check the socket is alive. @default the browser's `online` and `visibilitychange` (shown) */
  wakeSignals?: WakeSignals
  random?: () => number
}
