import { chunk } from '../shared/chunk.js'
import {
  type ClientMessage,
  type Envelope,
  isNotificationFrame,
  type LogFilters,
  MAX_INBOX_IDS,
  parseServerFrame,
} from '../shared/protocol/frames.js'
import { MAX_CONNECTION_AGE_MS } from '../shared/protocol/limits.js'
import type { Preferences } from '../shared/protocol/preferences.js'
import { STREAM_TOPICS, type Topic } from '../shared/protocol/topics.js'
import { DEFAULT_BACKOFF, reconnectDelay } from './core/backoff.js'
import { connectUrl } from './core/connect-url.js'
import { ConnectionState } from './core/connection-state.js'
import { SeenIds } from './core/dedupe.js'
import {
  browserTimers,
  browserWakeSignals,
  DEFAULT_HEARTBEAT_MS,
  Heartbeat,
  type Timers,
} from './core/heartbeat.js'
import { InboxKeeper } from './core/inbox-keeper.js'
import type { InboxState } from './core/inbox-state.js'
import { ResumeCursor } from './core/resume-cursor.js'
import type {
  FrameListener,
  HeraldIdentity,
  WebSocketConstructor,
  WebSocketLike,
  WebSocketServiceOptions,
} from './websocket-types.js'

const MAX_QUEUED = 100
/** How long the client keeps a connection: five minutes before API Gateway's 2-hour cut. */
export const PLANNED_RECONNECT_MS = MAX_CONNECTION_AGE_MS - 5 * 60_000
// API Gateway answers both itself (docs/architecture.md, Heartbeat): no Lambda runs for either.
const KEEPALIVE = JSON.stringify({ type: 'keepalive' })
const PING = JSON.stringify({ type: 'ping' })
/** How long to wait before asking again for a resume page the server could not answer. */
const RESUME_RETRY_MS = 1000

/** API Gateway's own answer when a route's integration failed or was throttled (Lambda's or the stage's). */
function isIntegrationError(data: string): boolean {
  try {
    const { message } = JSON.parse(data) as { message?: unknown }
    return message === 'Internal server error' || message === 'Too Many Requests'
  } catch {
    return false
  }
}

/**
 * A Herald connection that stays connected: it reconnects with backoff, re-sends its
 * subscriptions and filters, resumes what it missed, drops duplicates and validates every frame.
 *
 * @example
 * const herald = new WebSocketService({ url, getToken: () => fetchToken(), onMessage: (frame) => show(frame) })
 * herald.connect()
 */
export class WebSocketService {
  readonly #options: WebSocketServiceOptions
  readonly #timers: Timers
  readonly #seen = new SeenIds()
  readonly #listeners = new Set<FrameListener>()
  readonly #heartbeat: Heartbeat
  #state: ConnectionState = ConnectionState.Idle
  #socket: WebSocketLike | undefined
  #attempts = 0
  #everConnected = false
  #reconnectTimer: unknown
  #ageTimer: unknown
  #unwatch: (() => void) | undefined
  /** A planned reconnect's next socket is being welcomed: nothing was missed, nothing to resume. */
  #renewing = false
  #queue: ClientMessage[] = []
  #topics: Topic[] | undefined
  #filters: LogFilters | undefined
  readonly #cursor = new ResumeCursor()
  #identity: HeraldIdentity | undefined
  #pushPublicKey: string | undefined
  readonly #inbox: InboxKeeper

  constructor(options: WebSocketServiceOptions) {
    this.#options = options
    this.#timers = options.timers ?? browserTimers
    this.#listeners.add({ onMessage: options.onMessage, onStateChange: options.onStateChange })
    this.#heartbeat = new Heartbeat({
      intervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
      timeoutMs: options.heartbeatTimeoutMs ?? 10_000,
      timers: this.#timers,
      ...(options.now ? { now: options.now } : {}),
      keepalive: () => this.#socket?.send(KEEPALIVE),
      ping: () => this.#socket?.send(PING),
      onDead: () => this.#drop(4000, 'heartbeat timed out', false),
    })
    this.#inbox = new InboxKeeper({
      timers: this.#timers,
      now: options.now ?? Date.now,
      onChange: (inbox) => {
        for (const listener of this.#listeners) listener.onInboxChange?.(inbox)
      },
      onSnoozeEnded: () => {
        const recall = this.#cursor.recall(this.isConnected)
        if (recall) this.#send(recall)
      },
    })
  }

  /**
   * The user's unread count, read, dismissed and snoozed marks, threads and preferences, synced with
   * every tab and device.
   */
  get inbox(): InboxState {
    return this.#inbox.state
  }

  /** Marks notifications read everywhere; the server answers every tab with `read_state`. */
  markRead(all: readonly string[]): void {
    for (const ids of chunk(all, MAX_INBOX_IDS)) this.send({ type: 'mark_read', ids })
  }

  markAllRead(): void {
    this.send({ type: 'mark_read', all: true })
  }

  /** Dismisses notifications everywhere: they are never replayed again. */
  dismiss(all: readonly string[]): void {
    for (const ids of chunk(all, MAX_INBOX_IDS)) this.send({ type: 'dismiss', ids })
  }

  /**
   * Takes notifications out of the list and the unread count everywhere until `until` (at most 30
   * days ahead); then they come back, unread. A refusal comes as an `error` frame, `invalid_snooze`.
   */
  snooze(all: readonly string[], until: Date): void {
    const iso = until.toISOString()
    for (const ids of chunk(all, MAX_INBOX_IDS)) this.send({ type: 'snooze', ids, until: iso })
  }

  /**
   * Replaces the user's preferences; every tab gets them in a `preferences` frame, or this one an
   * `error` frame, `invalid_preferences`, and they stay as they were.
   */
  setPreferences(preferences: Preferences): void {
    this.send({ type: 'set_preferences', preferences })
  }

  /** Who the server took this connection to be (user, tenant, groups); undefined until welcomed. */
  get identity(): HeraldIdentity | undefined {
    return this.#identity
  }

  /**
   * The VAPID public key a browser subscribes to Web Push with (`enablePush`), from the last welcome;
   * undefined before the first, or where the deployment has no Web Push.
   */
  get pushPublicKey(): string | undefined {
    return this.#pushPublicKey
  }

  get state(): ConnectionState {
    return this.#state
  }

  get isConnected(): boolean {
    return this.#state === ConnectionState.Open
  }

  /** Adds a listener (hooks sharing one socket each add theirs); returns its removal. */
  addListener(listener: FrameListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  connect(): void {
    if (this.#state !== ConnectionState.Idle && this.#state !== ConnectionState.Closed) return
    this.#attempts = 0
    void this.#open()
  }

  /** Sends a message now, or once connected. Subscriptions and filters are state: re-sent after every reconnect. */
  send(message: ClientMessage): void {
    if (this.#state === ConnectionState.Open && this.#socket) {
      this.#send(message)
    } else if (
      message.type !== 'subscribe' &&
      message.type !== 'unsubscribe' &&
      message.type !== 'set_filters'
    ) {
      this.#queue = [...this.#queue, message].slice(-MAX_QUEUED)
    }
  }

  subscribe(topics: Topic[]): void {
    this.#topics = [...new Set([...(this.#topics ?? this.#defaultTopics()), ...topics])]
    this.send({ type: 'subscribe', topics })
  }

  unsubscribe(topics: Topic[]): void {
    this.#topics = (this.#topics ?? this.#defaultTopics()).filter((topic) => !topics.includes(topic))
    this.send({ type: 'unsubscribe', topics })
  }

  setFilters(filters: LogFilters): void {
    this.#filters = filters
    this.send({ type: 'set_filters', filters })
  }

  /** Closes for good (until `connect()` again): no reconnect. */
  disconnect(): void {
    this.#timers.clearTimeout(this.#reconnectTimer)
    const socket = this.#detach()
    socket?.close(1000, 'client disconnect')
    this.#inbox.stop()
    this.#setState(ConnectionState.Idle)
  }

  async #open(): Promise<void> {
    this.#setState(this.#everConnected ? ConnectionState.Reconnecting : ConnectionState.Connecting)
    let url: string
    try {
      url = await connectUrl(this.#options)
    } catch {
      this.#closed(4001, 'could not get a token', false)
      return
    }
    if (this.#state === ConnectionState.Idle) return
    const socket = this.#newSocket(url)
    this.#attach(socket)
    socket.onopen = () => this.#watch()
  }

  #newSocket(url: string): WebSocketLike {
    const Socket = this.#options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor)
    const socket = new Socket(url)
    socket.onerror = () => {}
    return socket
  }

  /** Makes `socket` the service's own: its frames are shown, and its close reconnects. */
  #attach(socket: WebSocketLike): void {
    this.#socket = socket
    socket.onmessage = (event) => this.#receive(event.data)
    socket.onclose = (event) => {
      this.#detach()
      this.#closed(event.code, event.reason, false)
    }
  }

  /** Starts the heartbeat and the wake signals for the open socket. */
  #watch(): void {
    this.#heartbeat.start()
    this.#unwatch = (this.#options.wakeSignals ?? browserWakeSignals)(() => this.#heartbeat.check())
  }

  /**
   * The planned reconnect before API Gateway's 2-hour cut, made before the break: the next socket
   * opens while this one still delivers, and this one closes once the next is welcomed. Nothing was
   * missed, so nothing is resumed (a resume costs a function run and two messages each time); what
   * both sockets brought meanwhile is shown once, by id. When the next socket cannot open, or a
   * resume is still in progress, it reconnects as after a drop, and resumes.
   */
  async #renew(): Promise<void> {
    const current = this.#socket
    const reconnect = (): void => {
      if (this.#socket === current) this.#drop(4002, 'planned reconnect before the 2-hour limit', true)
    }
    if (!current || this.#cursor.awaited) return reconnect()
    let url: string
    try {
      url = await connectUrl(this.#options)
    } catch {
      return reconnect()
    }
    if (this.#socket !== current) return
    const next = this.#newSocket(url)
    // What comes before its welcome waits for it: the current socket still shows the same.
    const early: unknown[] = []
    next.onclose = reconnect
    next.onmessage = (event) => {
      if (this.#socket !== current) return next.close(1000, 'superseded')
      if (parseServerFrame(String(event.data))?.type !== 'connection_established') {
        early.push(event.data)
        return
      }
      this.#handOver(current, next)
      this.#renewing = true
      this.#receive(event.data)
      this.#renewing = false
      for (const data of early) this.#receive(data)
    }
  }

  /** `next` takes over from `old`, which still shows what it brings until it has closed. */
  #handOver(old: WebSocketLike, next: WebSocketLike): void {
    this.#heartbeat.stop()
    this.#unwatch?.()
    this.#timers.clearTimeout(this.#ageTimer)
    old.onclose = null
    this.#attach(next)
    this.#watch()
    old.close(1000, 'renewed before the 2-hour limit')
  }

  #receive(data: unknown): void {
    this.#heartbeat.alive()
    if (typeof data !== 'string') return
    const frame = parseServerFrame(data)
    if (!frame) {
      if (isIntegrationError(data)) this.#askAgain()
      return
    }
    if (frame.type === 'connection_established') {
      this.#established(frame)
    } else if (isNotificationFrame(frame)) {
      // Before the duplicate check: a page's end counts even if its last notification came live first.
      this.#cursor.notification(frame, this.#state === ConnectionState.Open)
      // A snooze's end sends its notification again, to be listed once more.
      if (this.#seen.check(frame.id) && frame.snoozed !== true) return
    } else if (frame.type === 'resumed') {
      const next = this.#cursor.resumed(frame.data)
      if (next) this.#send(next)
    }
    const source = this.#cursor.sourceOf(frame)
    this.#inbox.apply(frame, source)
    for (const listener of this.#listeners) listener.onMessage?.(frame, source)
  }

  /**
   * API Gateway answers a frame its route could not handle (throttled, or failed) with an error that
   * names no frame. A resume left unanswered would leave what was missed unshown until the next
   * reconnect, so the page awaited is asked again after a pause; an answer that comes twice only
   * repeats notifications, which are dropped by id.
   */
  #askAgain(): void {
    const socket = this.#socket
    const request = this.#cursor.awaited
    if (!request) return
    this.#timers.setTimeout(() => {
      if (this.#socket === socket && this.#cursor.awaited === request) this.#send(request)
    }, RESUME_RETRY_MS)
  }

  /** The server accepted us: restore subscriptions and filters, resume, flush the queue. */
  #established(frame: Envelope<'connection_established'>): void {
    const { connectionId, userId, tenant, groups } = frame.data
    this.#identity = {
      connectionId,
      userId,
      ...(tenant === undefined ? {} : { tenant }),
      groups: groups ?? [],
    }
    this.#pushPublicKey = frame.data.push?.publicKey
    this.#everConnected = true
    this.#attempts = 0
    this.#setState(ConnectionState.Open)
    this.#ageTimer = this.#timers.setTimeout(
      () => void this.#renew(),
      this.#options.maxConnectionAgeMs ?? PLANNED_RECONNECT_MS,
    )
    const server = frame.data.topics
    if (this.#topics) {
      const add = this.#topics.filter((topic) => !server.includes(topic))
      const remove = server.filter((topic) => !this.#topics?.includes(topic))
      if (add.length) this.#send({ type: 'subscribe', topics: add })
      if (remove.length) this.#send({ type: 'unsubscribe', topics: remove })
    }
    if (this.#filters) this.#send({ type: 'set_filters', filters: this.#filters })
    const resume = this.#renewing
      ? undefined
      : this.#cursor.welcomed(frame.id, this.#options.loadRecent ?? false)
    if (resume) this.#send(resume)
    const queued = this.#queue
    this.#queue = []
    for (const message of queued) this.#send(message)
    this.#options.onConnect?.()
  }

  #send(message: ClientMessage): void {
    this.#socket?.send(JSON.stringify(message))
    this.#heartbeat.sent()
  }

  /** Gives up on the current socket without waiting for its close handshake (it may never come). */
  #drop(code: number, reason: string, planned: boolean): void {
    const socket = this.#detach()
    socket?.close(code, reason)
    this.#closed(code, reason, planned)
  }

  #detach(): WebSocketLike | undefined {
    const socket = this.#socket
    this.#socket = undefined
    this.#heartbeat.stop()
    this.#unwatch?.()
    this.#unwatch = undefined
    this.#timers.clearTimeout(this.#ageTimer)
    this.#cursor.dropped()
    if (socket) {
      socket.onopen = null
      socket.onmessage = null
      socket.onclose = null
      socket.onerror = () => {}
    }
    return socket
  }

  #closed(code: number, reason: string, planned: boolean): void {
    if (this.#state === ConnectionState.Idle) return
    const maxAttempts = this.#options.maxReconnectAttempts ?? 10
    const willReconnect = planned || this.#attempts < maxAttempts
    this.#options.onDisconnect?.({ code, reason, willReconnect })
    if (!willReconnect) {
      this.#setState(ConnectionState.Closed)
      return
    }
    this.#setState(this.#everConnected ? ConnectionState.Reconnecting : ConnectionState.Connecting)
    const delay = planned
      ? 0
      : reconnectDelay(
          this.#attempts,
          { ...DEFAULT_BACKOFF, baseMs: this.#options.reconnectDelay ?? 3000 },
          this.#options.random,
        )
    if (!planned) this.#attempts++
    this.#reconnectTimer = this.#timers.setTimeout(() => void this.#open(), delay)
  }

  #defaultTopics(): Topic[] {
    return [...STREAM_TOPICS[this.#options.stream ?? 'notifications']]
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return
    this.#state = state
    for (const listener of this.#listeners) listener.onStateChange?.(state)
  }
}
