import * as v from 'valibot'
import { ProtocolError, type ProtocolErrorCode } from '../errors.js'
import { ID_PATTERN, newId } from './ids.js'
import { describeIssues } from './issues.js'
import { byteLength } from './limits.js'
import {
  LabelSchema,
  LogLevelSchema,
  NOTIFICATION_SCHEMAS,
  type NotificationData,
  type NotificationType,
} from './notifications.js'
import { type Topic, TopicSchema } from './topics.js'

export const HeraldIdSchema = v.pipe(
  v.string(),
  v.regex(ID_PATTERN, 'must be a Herald id (a 26-character ULID)'),
)

const LogFiltersSchema = v.strictObject({
  level: v.optional(LogLevelSchema),
  source: v.optional(LabelSchema),
  environment: v.optional(LabelSchema),
})
export type LogFilters = v.InferOutput<typeof LogFiltersSchema>

const TopicListSchema = v.pipe(v.array(TopicSchema), v.minLength(1), v.maxLength(16))

/** Ids one `mark_read` or `dismiss` may name (docs/architecture.md, Inbox state). */
export const MAX_INBOX_IDS = 100
const IdListSchema = v.pipe(v.array(HeraldIdSchema), v.minLength(1), v.maxLength(MAX_INBOX_IDS))

// What a browser may send. `resume` without `since` asks for the most recent history.
export const CLIENT_MESSAGE_SCHEMAS = {
  ping: v.strictObject({ type: v.literal('ping') }),
  keepalive: v.strictObject({ type: v.literal('keepalive') }),
  subscribe: v.strictObject({ type: v.literal('subscribe'), topics: TopicListSchema }),
  unsubscribe: v.strictObject({ type: v.literal('unsubscribe'), topics: TopicListSchema }),
  set_filters: v.strictObject({ type: v.literal('set_filters'), filters: LogFiltersSchema }),
  resume: v.strictObject({ type: v.literal('resume'), since: v.optional(HeraldIdSchema) }),
  mark_read: v.union([
    v.strictObject({ type: v.literal('mark_read'), ids: IdListSchema }),
    v.strictObject({ type: v.literal('mark_read'), all: v.literal(true) }),
  ]),
  dismiss: v.strictObject({ type: v.literal('dismiss'), ids: IdListSchema }),
} as const

export type ClientMessageType = keyof typeof CLIENT_MESSAGE_SCHEMAS
export type ClientMessage = {
  [K in ClientMessageType]: v.InferOutput<(typeof CLIENT_MESSAGE_SCHEMAS)[K]>
}[ClientMessageType]

function isClientMessageType(type: string): type is ClientMessageType {
  return Object.hasOwn(CLIENT_MESSAGE_SCHEMAS, type)
}

/**
 * Parses one text frame from a browser, or throws a {@link ProtocolError} whose code is the one
 * the `error` frame carries.
 *
 * @example parseClientMessage('{"type":"subscribe","topics":["alerts"]}', 32768)
 */
export function parseClientMessage(frame: string, maxBytes: number): ClientMessage {
  if (byteLength(frame) > maxBytes) {
    throw new ProtocolError('too_large', `message is larger than ${maxBytes} bytes`)
  }
  let value: unknown
  try {
    value = JSON.parse(frame)
  } catch {
    throw new ProtocolError('invalid_json', 'message is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('invalid_message', 'message must be a JSON object')
  }
  const type = (value as { type?: unknown }).type
  if (typeof type !== 'string') {
    throw new ProtocolError('invalid_message', 'message must have a string "type"')
  }
  if (!isClientMessageType(type)) {
    throw new ProtocolError('unknown_type', `unknown message type "${type.slice(0, 64)}"`)
  }
  const parsed = v.safeParse(CLIENT_MESSAGE_SCHEMAS[type], value)
  if (!parsed.success) {
    throw new ProtocolError('invalid_message', `invalid ${type}: ${describeIssues(parsed.issues).join('; ')}`)
  }
  return parsed.output as ClientMessage
}

/** A user's unread notifications, exact up to 999; above that `unreadCapped` is set. */
export interface UnreadCount {
  unread: number
  unreadCapped?: true
  /**
   * The newest notification id the count took in (`""`: none). A notification that reaches the
   * client live with a newer id was not in it: published while the count was being made.
   */
  countedThrough?: string
}

/** A user's inbox after a change, sent to every live connection of theirs. */
export interface ReadState extends UnreadCount {
  /** Ids read one by one since the last "mark all read" (the newest 1,000). */
  read: string[]
  /** Ids dismissed (the newest 1,000); they are never replayed again. */
  dismissed: string[]
  /** Everything up to `readBefore` (exclusive) was marked read at once. */
  all: boolean
  readBefore?: string
}

/** Data of the control frames the server sends. */
export interface ControlData {
  /** `tenant` only in a multi-tenant deployment; `groups` as the token carried them. */
  connection_established: {
    connectionId: string
    userId: string
    tenant?: string
    groups: string[]
    topics: Topic[]
    filters: LogFilters
  } & Partial<UnreadCount>
  pong: Record<string, never>
  subscribed: { topics: Topic[] }
  unsubscribed: { topics: Topic[] }
  filters_updated: { filters: LogFilters }
  /**
   * `cursor`: the newest id this page read from history, shown or not (a dismissed one is not);
   * the next page is asked `since` it. Absent when the page read nothing.
   */
  resumed: { count: number; more: boolean; cursor?: string } & Partial<UnreadCount>
  read_state: ReadState
  /** `retryAfterMs` comes with `rate_limited`: when the next frame will be accepted. */
  error: { code: ProtocolErrorCode; message: string; retryAfterMs?: number }
}

export type ServerFrameType = NotificationType | keyof ControlData
export type FrameData = NotificationData & ControlData

/** Every frame the server sends: a notification or a control frame. */
export interface Envelope<T extends ServerFrameType = ServerFrameType> {
  id: string
  type: T
  data: FrameData[T]
  timestamp: string
  /**
   * Set on notifications re-sent in answer to `resume`, so a client can tell them from live
   * notifications that arrive while the resume is answered.
   */
  replayed?: boolean
  /** On replayed and recent notifications: whether the user has read it, in any tab or device. */
  read?: boolean
}

export type NotificationEnvelope = { [K in NotificationType]: Envelope<K> }[NotificationType]

const EnvelopeShape = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  type: v.string(),
  data: v.record(v.string(), v.unknown()),
  timestamp: v.string(),
  replayed: v.optional(v.boolean()),
  read: v.optional(v.boolean()),
})

/** Validates a frame received from the server; notification data is checked against its schema. */
export function parseServerFrame(frame: string): Envelope | undefined {
  let value: unknown
  try {
    value = JSON.parse(frame)
  } catch {
    return undefined
  }
  const envelope = v.safeParse(EnvelopeShape, value)
  if (!envelope.success) return undefined
  const { type, data } = envelope.output
  if (
    Object.hasOwn(NOTIFICATION_SCHEMAS, type) &&
    !v.is(NOTIFICATION_SCHEMAS[type as NotificationType], data)
  ) {
    return undefined
  }
  return envelope.output as Envelope
}

/** A server frame with a fresh id and the current time. */
export function makeFrame<T extends keyof ControlData>(
  type: T,
  data: ControlData[T],
  now: number = Date.now(),
): Envelope<T> {
  return { id: newId(now), type, data, timestamp: new Date(now).toISOString() } as Envelope<T>
}
