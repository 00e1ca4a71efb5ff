import * as v from 'valibot'
import { SEVERITIES } from './severity.js'
import { normaliseTimestamp } from './timestamp.js'

// Shapes kept from the seed so a client written for the Django version reads them unchanged.
export { SEVERITIES, type Severity } from './severity.js'

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The seed's system notices say `info`; an alert severity is accepted as well. */
const SYSTEM_SEVERITIES = ['info', 'warning', 'error', ...SEVERITIES] as const
export type SystemSeverity = (typeof SYSTEM_SEVERITIES)[number]

// The names publishers already write: Python's logging (WARNING, CRITICAL) and the usual shorthands.
export const ALIASES: Readonly<Record<string, string>> = {
  warn: 'warning',
  fatal: 'critical',
  err: 'error',
  trace: 'debug',
}

/** A level or severity as Herald delivers it: lower case, aliases resolved. */
export function canonicalWord(value: string): string {
  const word = value.trim().toLowerCase()
  return ALIASES[word] ?? word
}

/** One of `words`, whatever its case or alias; delivered in canonical form. */
function wordOf<const T extends readonly [string, ...string[]]>(words: T) {
  return v.pipe(
    v.string(),
    v.transform(canonicalWord),
    v.picklist(words, `must be one of ${words.join(', ')}`),
  )
}

export const SeveritySchema = wordOf(SEVERITIES)
export const LogLevelSchema = wordOf(LOG_LEVELS)

const text = (max: number) => v.pipe(v.string(), v.maxLength(max))
const requiredText = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max))
export const LabelSchema = requiredText(128)
export const TimestampSchema = v.pipe(
  v.string(),
  v.check((value) => normaliseTimestamp(value) !== undefined, 'must be an ISO-8601 date-time'),
  v.transform((value) => normaliseTimestamp(value) as string),
)

// Objects are loose: a field Herald does not know (an alert's `link`, say) reaches the browser
// unchanged, as the seed's consumers passed it on. Size is bounded by the whole message's limit.
export const AlertSchema = v.looseObject({
  id: v.optional(text(128)),
  severity: SeveritySchema,
  title: requiredText(256),
  message: text(16_384),
  source: v.optional(LabelSchema),
  metadata: v.optional(v.record(v.string(), v.unknown())),
})
export type Alert = v.InferOutput<typeof AlertSchema>
export type AlertInput = v.InferInput<typeof AlertSchema>

export const LogEventSchema = v.looseObject({
  id: v.optional(text(128)),
  level: LogLevelSchema,
  message: text(65_536),
  source: v.optional(LabelSchema),
  environment: v.optional(LabelSchema),
  timestamp: v.optional(TimestampSchema),
})
export type LogEvent = v.InferOutput<typeof LogEventSchema>
export type LogEventInput = v.InferInput<typeof LogEventSchema>

export const SystemNoticeSchema = v.looseObject({
  title: requiredText(256),
  message: text(16_384),
  severity: v.optional(wordOf(SYSTEM_SEVERITIES), 'info'),
})
export type SystemNotice = v.InferOutput<typeof SystemNoticeSchema>
export type SystemNoticeInput = v.InferInput<typeof SystemNoticeSchema>

const UPLOAD_STATUSES = ['processing', 'completed', 'failed'] as const
export const UploadStatusSchema = v.looseObject({
  upload_id: LabelSchema,
  status: wordOf(UPLOAD_STATUSES),
  progress: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  filename: requiredText(1024),
  message: v.optional(text(4096)),
})
export type UploadStatus = v.InferOutput<typeof UploadStatusSchema>
export type UploadStatusInput = v.InferInput<typeof UploadStatusSchema>

/** The four kinds of notification, each with the schema of its `data`. */
export const NOTIFICATION_SCHEMAS = {
  alert: AlertSchema,
  log_event: LogEventSchema,
  system: SystemNoticeSchema,
  upload_status: UploadStatusSchema,
} as const

export type NotificationType = keyof typeof NOTIFICATION_SCHEMAS
export const NOTIFICATION_TYPES = Object.keys(NOTIFICATION_SCHEMAS) as NotificationType[]

export type NotificationData = {
  alert: Alert
  log_event: LogEvent
  system: SystemNotice
  upload_status: UploadStatus
}
