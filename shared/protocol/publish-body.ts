import { z } from 'zod'
import { InvalidNotificationError } from '../errors.js'
import { describeIssues, HeraldIdSchema, type NotificationEnvelope } from './frames.js'
import { byteLength, MAX_MESSAGE_BYTES } from './limits.js'
import { AlertSchema, LogEventSchema, SystemNoticeSchema, UploadStatusSchema } from './notifications.js'
import type { Topic } from './topics.js'

const UserIdSchema = z.string().min(1).max(256)
const common = { id: HeraldIdSchema.optional(), timestamp: z.iso.datetime({ offset: true }).optional() }

/**
 * The SNS message body every publisher sends (DESIGN.md section 3). Upload status is always
 * someone's own; an alert without `userId` is a broadcast; logs and system notices go to all.
 */
export const PublishBodySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('alert'), data: AlertSchema, userId: UserIdSchema.optional(), ...common }),
  z.strictObject({ type: z.literal('log_event'), data: LogEventSchema, ...common }),
  z.strictObject({ type: z.literal('system'), data: SystemNoticeSchema, ...common }),
  z.strictObject({
    type: z.literal('upload_status'),
    data: UploadStatusSchema,
    userId: UserIdSchema,
    ...common,
  }),
])
export type PublishBody = z.infer<typeof PublishBodySchema>
export type PublishInput = z.input<typeof PublishBodySchema>

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
  const parsed = PublishBodySchema.safeParse(value)
  if (!parsed.success) {
    const issues = describeIssues(parsed.error)
    throw new InvalidNotificationError(`invalid notification: ${issues.join('; ')}`, issues)
  }
  return parsed.data
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
