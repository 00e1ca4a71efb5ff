import { z } from 'zod'

// Shapes kept from the seed so a client written for the Django version reads them unchanged.
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export const SeveritySchema = z.enum(SEVERITIES)
export type Severity = z.infer<typeof SeveritySchema>

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const
export const LogLevelSchema = z.enum(LOG_LEVELS)
export type LogLevel = z.infer<typeof LogLevelSchema>

const text = (max: number) => z.string().max(max)
const label = z.string().min(1).max(128)

export const AlertSchema = z.strictObject({
  id: text(128).optional(),
  severity: SeveritySchema,
  title: text(256).min(1),
  message: text(16_384),
  source: label.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})
export type Alert = z.infer<typeof AlertSchema>

export const LogEventSchema = z.strictObject({
  id: text(128).optional(),
  level: LogLevelSchema,
  message: text(65_536),
  source: label.optional(),
  environment: label.optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
})
export type LogEvent = z.infer<typeof LogEventSchema>

export const SystemNoticeSchema = z.strictObject({
  title: text(256).min(1),
  message: text(16_384),
  severity: SeveritySchema.default('low'),
})
export type SystemNotice = z.infer<typeof SystemNoticeSchema>

export const UPLOAD_STATUSES = ['processing', 'completed', 'failed'] as const
export const UploadStatusSchema = z.strictObject({
  upload_id: label,
  status: z.enum(UPLOAD_STATUSES),
  progress: z.number().min(0).max(100),
  filename: text(1024).min(1),
  message: text(4096).optional(),
})
export type UploadStatus = z.infer<typeof UploadStatusSchema>

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
