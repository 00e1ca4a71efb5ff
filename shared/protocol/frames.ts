import { z } from 'zod'
import { ProtocolError, type ProtocolErrorCode } from '../errors.js'
import { ID_PATTERN, newId } from './ids.js'
import { byteLength } from './limits.js'
import {
  LogLevelSchema,
  NOTIFICATION_SCHEMAS,
  type NotificationData,
  type NotificationType,
} from './notifications.js'
import { type Topic, TopicSchema } from './topics.js'

export const HeraldIdSchema = z.string().regex(ID_PATTERN, 'must be a Herald id (a 26-character ULID)')

export const LogFiltersSchema = z.strictObject({
  level: LogLevelSchema.optional(),
  source: z.string().min(1).max(128).optional(),
  environment: z.string().min(1).max(128).optional(),
})
export type LogFilters = z.infer<typeof LogFiltersSchema>

const TopicListSchema = z.array(TopicSchema).min(1).max(16)

// What a browser may send. `resume` without `since` asks for the most recent history.
export const CLIENT_MESSAGE_SCHEMAS = {
  ping: z.strictObject({ type: z.literal('ping') }),
  subscribe: z.strictObject({ type: z.literal('subscribe'), topics: TopicListSchema }),
  unsubscribe: z.strictObject({ type: z.literal('unsubscribe'), topics: TopicListSchema }),
  set_filters: z.strictObject({ type: z.literal('set_filters'), filters: LogFiltersSchema }),
  resume: z.strictObject({ type: z.literal('resume'), since: HeraldIdSchema.optional() }),
} as const

export type ClientMessageType = keyof typeof CLIENT_MESSAGE_SCHEMAS
export type ClientMessage = {
  [K in ClientMessageType]: z.infer<(typeof CLIENT_MESSAGE_SCHEMAS)[K]>
}[ClientMessageType]

/** Turns zod's issues into one line a person can act on. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  )
}

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
  const parsed = CLIENT_MESSAGE_SCHEMAS[type].safeParse(value)
  if (!parsed.success) {
    throw new ProtocolError('invalid_message', `invalid ${type}: ${describeIssues(parsed.error).join('; ')}`)
  }
  return parsed.data
}

/** Data of the control frames the server sends. */
export interface ControlData {
  connection_established: { connectionId: string; userId: string; topics: Topic[]; filters: LogFilters }
  pong: Record<string, never>
  subscribed: { topics: Topic[] }
  unsubscribed: { topics: Topic[] }
  filters_updated: { filters: LogFilters }
  resumed: { count: number; more: boolean }
  error: { code: ProtocolErrorCode; message: string }
}

export type ServerFrameType = NotificationType | keyof ControlData
export type FrameData = NotificationData & ControlData

/** Every frame the server sends: a notification or a control frame. */
export interface Envelope<T extends ServerFrameType = ServerFrameType> {
  id: string
  type: T
  data: FrameData[T]
  timestamp: string
}

export type NotificationEnvelope = { [K in NotificationType]: Envelope<K> }[NotificationType]

const EnvelopeShape = z.object({
  id: z.string().min(1),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  timestamp: z.string(),
})

/** Validates a frame received from the server; notification data is checked against its schema. */
export function parseServerFrame(frame: string): Envelope | undefined {
  let value: unknown
  try {
    value = JSON.parse(frame)
  } catch {
    return undefined
  }
  const envelope = EnvelopeShape.safeParse(value)
  if (!envelope.success) return undefined
  const { type, data } = envelope.data
  if (Object.hasOwn(NOTIFICATION_SCHEMAS, type)) {
    const checked = NOTIFICATION_SCHEMAS[type as NotificationType].safeParse(data)
    if (!checked.success) return undefined
  }
  return envelope.data as Envelope
}

/** A server frame with a fresh id and the current time. */
export function makeFrame<T extends keyof ControlData>(
  type: T,
  data: ControlData[T],
  now: number = Date.now(),
): Envelope<T> {
  return { id: newId(now), type, data, timestamp: new Date(now).toISOString() } as Envelope<T>
}
