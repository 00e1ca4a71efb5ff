import { gunzipSync } from 'node:zlib'
import * as v from 'valibot'
import { InvalidNotificationError } from '../errors.js'
import type { LogEvent, LogLevel } from '../protocol/notifications.js'

const SubscriptionPayloadSchema = v.object({
  messageType: v.picklist(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  logGroup: v.string(),
  logStream: v.string(),
  logEvents: v.array(v.object({ id: v.string(), timestamp: v.number(), message: v.string() })),
})
export type SubscriptionPayload = v.InferOutput<typeof SubscriptionPayloadSchema>

/** A CloudWatch Logs subscription filter's `awslogs.data`: base64 of gzipped JSON. */
export function decodeSubscription(data: string): SubscriptionPayload {
  try {
    return v.parse(
      SubscriptionPayloadSchema,
      JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')),
    )
  } catch (error) {
    throw new InvalidNotificationError(
      'invalid_field',
      `not a CloudWatch Logs subscription payload: ${(error as Error).message}`,
    )
  }
}

const LEVELS: Record<string, LogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warning',
  warning: 'warning',
  error: 'error',
  err: 'error',
  critical: 'critical',
  crit: 'critical',
  fatal: 'critical',
  emergency: 'critical',
}
const PREFIX =
  /^\s*\[?(trace|debug|info|notice|warn(?:ing)?|error|err|crit(?:ical)?|fatal|emergency)\]?(?=[\s:|-])/i

/** A log line's level and the text worth showing, from JSON logs, Lambda's text format or a prefix. */
export function readLogLine(line: string): { level: LogLevel; message: string } {
  const text = line.trimEnd()
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>
      // Powertools uses `level`, Lambda's JSON log format `level` too, Python's logging `levelname`.
      const level = [json.level, json.levelname, json.severity, json.logLevel].find(
        (value) => typeof value === 'string',
      ) as string | undefined
      const message =
        typeof json.message === 'string' ? json.message : typeof json.msg === 'string' ? json.msg : text
      return { level: LEVELS[level?.toLowerCase() ?? ''] ?? 'info', message }
    } catch {
      // Not JSON after all: read it as text.
    }
  }
  // Lambda's text format: timestamp, request id, level, message, separated by tabs.
  const fields = text.split('\t')
  const lambdaLevel = fields.length >= 4 ? LEVELS[(fields[2] as string).toLowerCase()] : undefined
  if (lambdaLevel) return { level: lambdaLevel, message: fields.slice(3).join('\t') }
  const prefix = PREFIX.exec(text)
  if (prefix) return { level: LEVELS[(prefix[1] as string).toLowerCase()] ?? 'info', message: text }
  return { level: 'info', message: text }
}

/** The source a log group stands for: a Lambda function's name, or the group's name. */
export function sourceOf(logGroup: string): string {
  return logGroup.replace(/^\/aws\/lambda\//, '').slice(-128) || 'logs'
}

/** Herald log events for a subscription payload's lines, each with CloudWatch's own event id and time. */
export function toLogEvents(
  payload: SubscriptionPayload,
  environment?: string,
): (LogEvent & { cloudWatchId: string })[] {
  if (payload.messageType === 'CONTROL_MESSAGE') return []
  const source = sourceOf(payload.logGroup)
  return payload.logEvents.map((event) => {
    const { level, message } = readLogLine(event.message)
    return {
      cloudWatchId: event.id,
      level,
      message: message.slice(0, 65_536),
      source,
      ...(environment ? { environment } : {}),
      timestamp: new Date(event.timestamp).toISOString(),
    }
  })
}
