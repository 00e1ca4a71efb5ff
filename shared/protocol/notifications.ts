import * as v from 'valibot'

// Shapes kept from the seed so a client written for the Django version reads them unchanged.
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export const SeveritySchema = v.picklist(SEVERITIES)
export type Severity = v.InferOutput<typeof SeveritySchema>

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const
export const LogLevelSchema = v.picklist(LOG_LEVELS)
export type LogLevel = v.InferOutput<typeof LogLevelSchema>

const text = (max: number) => v.pipe(v.string(), v.maxLength(max))
const requiredText = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max))
export const LabelSchema = requiredText(128)
export const TimestampSchema = v.pipe(v.string(), v.isoTimestamp())

export const AlertSchema = v.strictObject({
  id: v.optional(text(128)),
  severity: SeveritySchema,
  title: requiredText(256),
  message: text(16_384),
  source: v.optional(LabelSchema),
  metadata: v.optional(v.record(v.string(), v.unknown())),
})
export type Alert = v.InferOutput<typeof AlertSchema>

export const LogEventSchema = v.strictObject({
  id: v.optional(text(128)),
  level: LogLevelSchema,
  message: text(65_536),
  source: v.optional(LabelSchema),
  environment: v.optional(LabelSchema),
  timestamp: v.optional(TimestampSchema),
})
export type LogEvent = v.InferOutput<typeof LogEventSchema>

export const SystemNoticeSchema = v.strictObject({
  title: requiredText(256),
  message: text(16_384),
  severity: v.optional(SeveritySchema, 'low'),
})
export type SystemNotice = v.InferOutput<typeof SystemNoticeSchema>
export type SystemNoticeInput = v.InferInput<typeof SystemNoticeSchema>

export const UPLOAD_STATUSES = ['processing', 'completed', 'failed'] as const
export const UploadStatusSchema = v.strictObject({
  upload_id: LabelSchema,
  status: v.picklist(UPLOAD_STATUSES),
  progress: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  filename: requiredText(1024),
  message: v.optional(text(4096)),
})
export type UploadStatus = v.InferOutput<typeof UploadStatusSchema>

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
