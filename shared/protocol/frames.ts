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
  TimestampSchema,
} from './notifications.js'
import { PreferencesSchema } from './preferences.js'
import { PushSubscriptionSchema } from './push-subscription.js'
import { TopicSchema } from './topics.js'

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

/** Ids one `mark_read` or `dismiss` may name (docs/how-it-works.md, Inbox state). */
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
  set_preferences: v.strictObject({ type: v.literal('set_preferences'), preferences: PreferencesSchema }),
  /** `until`: at most 30 days ahead, and not in the past (checked where the clock is). */
  snooze: v.strictObject({ type: v.literal('snooze'), ids: IdListSchema, until: TimestampSchema }),
  /** A browser's `PushSubscription` (`toJSON()`), for pushes while none of the user's tabs is open. */
  push_subscribe: v.strictObject({ type: v.literal('push_subscribe'), subscription: PushSubscriptionSchema }),
  push_unsubscribe: v.strictObject({
    type: v.literal('push_unsubscribe'),
    endpoint: v.pipe(v.string(), v.url()),
  }),
} as const

/** The error code of a frame of these types that fails its schema, where it is not `invalid_message`. */
const INVALID_CODES: Partial<Record<ClientMessageType, ProtocolErrorCode>> = {
  set_preferences: 'invalid_preferences',
  snooze: 'invalid_snooze',
  push_subscribe: 'invalid_subscription',
}

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
    throw new ProtocolError(
      INVALID_CODES[type] ?? 'invalid_message',
      `invalid ${type}: ${describeIssues(parsed.issues).join('; ')}`,
    )
  }
  return parsed.output as ClientMessage
}

/** A user's unread notifications, exact up to 999; above that `unreadCapped` is set. */
const UnreadCountEntries = {
  unread: v.number(),
  unreadCapped: v.optional(v.literal(true)),
  /**
   * The newest notification id the count took in (`""`: none). A notification that reaches the
   * client live with a newer id was not in it: published while the count was being made.
   */
  countedThrough: v.optional(v.string()),
}
const UnreadCountSchema = v.object(UnreadCountEntries)
export type UnreadCount = v.InferOutput<typeof UnreadCountSchema>
const PartialUnread = {
  unread: v.optional(UnreadCountEntries.unread),
  unreadCapped: UnreadCountEntries.unreadCapped,
  countedThrough: UnreadCountEntries.countedThrough,
}

/** A user's inbox after a change, sent to every live connection of theirs. */
const ReadStateSchema = v.object({
  ...UnreadCountEntries,
  /** Ids read one by one since the last "mark all read" (the newest 1,000). */
  read: v.array(v.string()),
  /** Ids dismissed (the newest 1,000); they are never replayed again. */
  dismissed: v.array(v.string()),
  /** Everything up to `readBefore` (exclusive) was marked read at once. */
  all: v.boolean(),
  readBefore: v.optional(v.string()),
  /** Snoozed ids and when each comes back (ISO-8601); each is out of the count and the list until then. */
  snoozed: v.optional(v.record(v.string(), v.string())),
})
export type ReadState = v.InferOutput<typeof ReadStateSchema>

const TopicsData = v.object({ topics: v.array(TopicSchema) })
const PROTOCOL_ERROR_CODES = [
  'invalid_json',
  'invalid_message',
  'unknown_type',
  'too_large',
  'rate_limited',
  'forbidden',
  'invalid_preferences',
  'invalid_snooze',
  'invalid_subscription',
] as const satisfies readonly ProtocolErrorCode[]

/**
 * The data of each control frame the server sends, declared once: the server builds them to
 * these types and the client parses them with these schemas. Objects are not strict, so a field a
 * newer server adds reaches an older client unharmed.
 */
export const CONTROL_SCHEMAS = {
  /**
   * `tenant` only in a multi-tenant deployment; `groups` as the token carried them (a server before
   * 0.2 sent none).
   */
  connection_established: v.object({
    connectionId: v.string(),
    userId: v.string(),
    tenant: v.optional(v.string()),
    groups: v.optional(v.array(v.string())),
    topics: v.array(TopicSchema),
    filters: LogFiltersSchema,
    ...PartialUnread,
    /** What is snoozed, each id with when it comes back (docs/architecture.md, Inbox controls). */
    snoozed: v.optional(v.record(v.string(), v.string())),
    /** The user's preferences (docs/architecture.md, Inbox controls); absent from a server before 0.3. */
    preferences: v.optional(PreferencesSchema),
    /** Where Web Push is on: the VAPID public key a browser subscribes with. */
    push: v.optional(v.object({ publicKey: v.string() })),
  }),
  pong: v.object({}),
  /** The user's preferences after a `set_preferences` in any of their tabs. */
  preferences: PreferencesSchema,
  push_subscribed: v.object({}),
  push_unsubscribed: v.object({}),
  subscribed: TopicsData,
  unsubscribed: TopicsData,
  filters_updated: v.object({ filters: LogFiltersSchema }),
  /**
   * `cursor`: the newest id this page read from history, shown or not (a dismissed one is not);
   * the next page is asked `since` it. Absent when the page read nothing.
   */
  resumed: v.object({
    count: v.number(),
    more: v.boolean(),
    cursor: v.optional(v.string()),
    ...PartialUnread,
  }),
  read_state: ReadStateSchema,
  /** `retryAfterMs` comes with `rate_limited`: when the next frame will be accepted. */
  error: v.object({
    code: v.picklist(PROTOCOL_ERROR_CODES),
    message: v.string(),
    retryAfterMs: v.optional(v.number()),
  }),
}

/** Data of the control frames the server sends. */
export type ControlData = { [K in keyof typeof CONTROL_SCHEMAS]: v.InferOutput<(typeof CONTROL_SCHEMAS)[K]> }

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
  /**
   * On a notification published with a `threadKey` (an upload status: its `upload_id`): its
   * thread, and on replayed ones how many of the user's notifications the thread holds.
   */
  thread?: Thread
  /** When the notification stops being shown, replayed or counted (ISO-8601). */
  expiresAt?: string
  /** Re-sent because its snooze ended. */
  snoozed?: boolean
}

/** An inbox entry that stands for every notification of the user with the same key. */
export interface Thread {
  key: string
  /** Absent on live notifications: the client adds each to the count it has. */
  count?: number
}

export type NotificationEnvelope = { [K in NotificationType]: Envelope<K> }[NotificationType]

/** A frame the server sent, as a union the client narrows on `type`. */
export type ServerFrame = { [K in ServerFrameType]: Envelope<K> }[ServerFrameType]

/** Whether a frame is a notification (an alert, a log event, a system notice, an upload status). */
export function isNotificationFrame(frame: ServerFrame): frame is NotificationEnvelope {
  return Object.hasOwn(NOTIFICATION_SCHEMAS, frame.type)
}

const FRAME_SCHEMAS: Record<string, v.GenericSchema> = { ...NOTIFICATION_SCHEMAS, ...CONTROL_SCHEMAS }

const EnvelopeShape = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  type: v.string(),
  data: v.record(v.string(), v.unknown()),
  timestamp: v.string(),
  replayed: v.optional(v.boolean()),
  read: v.optional(v.boolean()),
  thread: v.optional(v.object({ key: v.string(), count: v.optional(v.number()) })),
  expiresAt: v.optional(v.string()),
  snoozed: v.optional(v.boolean()),
})

/**
 * Validates a frame received from the server, its data against its type's schema; undefined for
 * anything else, a type this client does not know included.
 */
export function parseServerFrame(frame: string): ServerFrame | undefined {
  let value: unknown
  try {
    value = JSON.parse(frame)
  } catch {
    return undefined
  }
  const envelope = v.safeParse(EnvelopeShape, value)
  if (!envelope.success) return undefined
  const schema = Object.hasOwn(FRAME_SCHEMAS, envelope.output.type)
    ? FRAME_SCHEMAS[envelope.output.type]
    : undefined
  if (!schema || !v.is(schema, envelope.output.data)) return undefined
  return envelope.output as ServerFrame
}

/** A server frame with a fresh id and the current time. */
export function makeFrame<T extends keyof ControlData>(
  type: T,
  data: ControlData[T],
  now: number = Date.now(),
): Envelope<T> {
  return { id: newId(now), type, data, timestamp: new Date(now).toISOString() } as Envelope<T>
}
