import * as v from 'valibot'
import { InvalidNotificationError } from '../errors.js'
import { describeIssues, HeraldIdSchema, type NotificationEnvelope } from './frames.js'
import { byteLength, MAX_MESSAGE_BYTES } from './limits.js'
import {
  AlertSchema,
  LogEventSchema,
  SystemNoticeSchema,
  TimestampSchema,
  UploadStatusSchema,
} from './notifications.js'
import type { Topic } from './topics.js'

const UserIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(256))
const common = { id: v.optional(HeraldIdSchema), timestamp: v.optional(TimestampSchema) }

/**
 * The SNS message body every publisher sends (DESIGN.md section 3). Upload status is always
 * someone's own; an alert without `userId` is a broadcast; logs and system notices go to all.
 */
export const PublishBodySchema = v.variant('type', [
  v.strictObject({
    type: v.literal('alert'),
    data: AlertSchema,
    userId: v.optional(UserIdSchema),
    ...common,
  }),
  v.strictObject({ type: v.literal('log_event'), data: LogEventSchema, ...common }),
  v.strictObject({ type: v.literal('system'), data: SystemNoticeSchema, ...common }),
  v.strictObject({
    type: v.literal('upload_status'),
    data: UploadStatusSchema,
    userId: UserIdSchema,
    ...common,
  }),
])
export type PublishBody = v.InferOutput<typeof PublishBodySchema>
export type PublishInput = v.InferInput<typeof PublishBodySchema>

/** The topic a notification type is delivered on. */
export const TOPIC_OF: Readonly<Record<PublishBody['type'], Topic>> = {
  alert: 'alerts',
  log_event: 'logs',
  system: 'system',
  upload_status: 'uploads',
}

export function targetUserOf(body: PublishBody): string | undefined {
  return 'userId' in body ? body.userId : undefined
}

/** Validates a publish body, whether it came as text off SNS or as an object from the SDK. */
export function parsePublishBody(input: unknown): PublishBody {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new InvalidNotificationError('message body is not valid JSON')
    }
  }
  const parsed = v.safeParse(PublishBodySchema, value)
  if (!parsed.success) {
    const issues = describeIssues(parsed.issues)
    throw new InvalidNotificationError(`invalid notification: ${issues.join('; ')}`, issues)
  }
  return parsed.output
}

/** The frame a browser receives for a published notification; refuses one API Gateway could not post. */
export function toEnvelope(
  body: PublishBody,
  fallback: { id: string; timestamp: string },
): NotificationEnvelope {
  const envelope = {
    id: body.id ?? fallback.id,
    type: body.type,
    data: body.data,
    timestamp: body.timestamp ?? fallback.timestamp,
  } as NotificationEnvelope
  const size = byteLength(JSON.stringify(envelope))
  if (size > MAX_MESSAGE_BYTES) {
    throw new InvalidNotificationError(`notification is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`)
  }
  return envelope
}

/** SNS message attributes mirroring the body, so subscription filter policies can select on them. */
export function messageAttributesOf(body: PublishBody): Record<string, string> {
  const attributes: Record<string, string> = { type: body.type }
  const userId = targetUserOf(body)
  if (userId) attributes.userId = userId
  if (body.type === 'log_event') {
    attributes.level = body.data.level
    if (body.data.source) attributes.source = body.data.source
    if (body.data.environment) attributes.environment = body.data.environment
  }
  return attributes
}
