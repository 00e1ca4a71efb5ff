import * as v from 'valibot'
import { InvalidNotificationError } from '../errors.js'
import { checkAudience } from './audience.js'
import { HeraldIdSchema, type NotificationEnvelope } from './frames.js'
import { describeIssues } from './issues.js'
import { byteLength, MAX_MESSAGE_BYTES } from './limits.js'
import {
  AlertSchema,
  LogEventSchema,
  NOTIFICATION_TYPES,
  SystemNoticeSchema,
  TimestampSchema,
  UploadStatusSchema,
} from './notifications.js'

/** A publish's `threadKey`, at most. */
export const MAX_THREAD_KEY_LENGTH = 128
/** A publish's `ttlSeconds`, at most: a year, far past any history window. */
const MAX_TTL_SECONDS = 365 * 24 * 60 * 60

/**
 * A user id as a token's `sub` carries it, a tenant or a group as their claims do. Django
 * publishers pass integer primary keys (`send_alert_notification(user_id=1, …)`), so an integer is
 * read as its decimal string.
 */
const NameSchema = v.union(
  [
    v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
    v.pipe(v.number(), v.safeInteger(), v.transform(String)),
  ],
  'must be a string or an integer',
)
const common = {
  id: v.optional(HeraldIdSchema),
  timestamp: v.optional(TimestampSchema),
  /** The tenant the audience is in; `"*"` is every tenant (docs/architecture.md, Tenants and groups). */
  tenant: v.optional(NameSchema),
  /** Notifications of one user with the same key are one inbox entry (docs/architecture.md, Threads). */
  threadKey: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_THREAD_KEY_LENGTH))),
  /** When it stops being shown, replayed and counted; or `ttlSeconds` after it is published. */
  expiresAt: v.optional(TimestampSchema),
  ttlSeconds: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_TTL_SECONDS))),
}
/** Who within the tenant: one user, or one group (exclusive; checked by `checkAudience`). */
const targeted = { userId: v.optional(NameSchema), group: v.optional(NameSchema) }

/**
 * The SNS message body every publisher sends (docs/architecture.md, Publishing). With `userId`,
 * an alert or upload status is that user's alone; with `group`, that group's; without either, it
 * goes to every subscriber of its topic. System notices go to everyone or a group; log events by
 * filter. The top level stays strict: a misspelt `userId` must not quietly turn a private alert
 * into a broadcast.
 */
export const PublishBodySchema = v.variant('type', [
  v.strictObject({ type: v.literal('alert'), data: AlertSchema, ...targeted, ...common }),
  v.strictObject({ type: v.literal('log_event'), data: LogEventSchema, ...common }),
  v.strictObject({
    type: v.literal('system'),
    data: SystemNoticeSchema,
    group: targeted.group,
    ...common,
  }),
  v.strictObject({ type: v.literal('upload_status'), data: UploadStatusSchema, ...targeted, ...common }),
])
export type PublishBody = v.InferOutput<typeof PublishBodySchema>
export type PublishInput = v.InferInput<typeof PublishBodySchema>

/** The thread a notification joins: its `threadKey`, or an upload's `upload_id`. */
export function threadKeyOf(body: PublishBody): string | undefined {
  return body.threadKey ?? (body.type === 'upload_status' ? `upload:${body.data.upload_id}` : undefined)
}

export function targetUserOf(body: PublishBody): string | undefined {
  return 'userId' in body ? body.userId : undefined
}

export function targetGroupOf(body: PublishBody): string | undefined {
  return 'group' in body ? body.group : undefined
}

function parseJson(input: unknown): unknown {
  if (typeof input !== 'string') return input
  try {
    return JSON.parse(input)
  } catch {
    throw new InvalidNotificationError('not_json', 'message body is not valid JSON')
  }
}

/** Validates a publish body, whether it came as text off SNS or as an object from the SDK. */
export function parsePublishBody(input: unknown): PublishBody {
  const value = parseJson(input)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidNotificationError(
      'not_an_object',
      'a notification must be a JSON object with "type" and "data"',
    )
  }
  const type = (value as { type?: unknown }).type
  if (!NOTIFICATION_TYPES.includes(type as never)) {
    throw new InvalidNotificationError(
      'unknown_type',
      `type ${JSON.stringify(type)?.slice(0, 64) ?? 'is required'}: must be one of ${NOTIFICATION_TYPES.join(', ')}`,
    )
  }
  const parsed = v.safeParse(PublishBodySchema, value)
  if (!parsed.success) {
    const issues = describeIssues(parsed.issues)
    throw new InvalidNotificationError('invalid_field', issues.join('; '), issues)
  }
  checkAudience(parsed.output)
  if (parsed.output.expiresAt !== undefined && parsed.output.ttlSeconds !== undefined)
    throw new InvalidNotificationError('invalid_field', 'expiresAt and ttlSeconds: name one or the other')
  return parsed.output
}

/** The frame a browser receives for a published notification; refuses one API Gateway could not post. */
export function toEnvelope(
  body: PublishBody,
  fallback: { id: string; timestamp: string },
): NotificationEnvelope {
  const timestamp = body.timestamp ?? fallback.timestamp
  const thread = threadKeyOf(body)
  const expiresAt =
    body.ttlSeconds === undefined
      ? body.expiresAt
      : new Date(Date.parse(timestamp) + body.ttlSeconds * 1000).toISOString()
  const envelope = {
    id: body.id ?? fallback.id,
    type: body.type,
    data: body.data,
    timestamp,
    ...(thread === undefined ? {} : { thread: { key: thread } }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  } as NotificationEnvelope
  const size = byteLength(JSON.stringify(envelope))
  if (size > MAX_MESSAGE_BYTES) {
    throw new InvalidNotificationError(
      'too_large',
      `notification is ${size} bytes; API Gateway's limit is ${MAX_MESSAGE_BYTES}`,
    )
  }
  return envelope
}

/** SNS message attributes mirroring the body, so subscription filter policies can select on them. */
export function messageAttributesOf(body: PublishBody): Record<string, string> {
  const attributes: Record<string, string> = { type: body.type }
  if (body.tenant !== undefined) attributes.tenant = body.tenant
  const userId = targetUserOf(body)
  if (userId) attributes.userId = userId
  const group = targetGroupOf(body)
  if (group) attributes.group = group
  if (body.type === 'log_event') {
    attributes.level = body.data.level
    if (body.data.source) attributes.source = body.data.source
    if (body.data.environment) attributes.environment = body.data.environment
  }
  return attributes
}
