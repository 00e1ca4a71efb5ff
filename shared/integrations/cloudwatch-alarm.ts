import * as v from 'valibot'
import { type Severity, SeveritySchema } from '../protocol/notifications.js'
import type { PublishInput } from '../protocol/publish-body.js'

/** The JSON body CloudWatch publishes to an alarm action's SNS topic (the fields Herald reads). */
const AlarmNotificationSchema = v.object({
  AlarmName: v.string(),
  AlarmDescription: v.optional(v.nullable(v.string())),
  AlarmArn: v.string(),
  NewStateValue: v.picklist(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: v.string(),
  OldStateValue: v.optional(v.string()),
  StateChangeTime: v.optional(v.string()),
  Region: v.optional(v.string()),
  Trigger: v.optional(v.object({ MetricName: v.optional(v.string()), Namespace: v.optional(v.string()) })),
})
export type AlarmNotification = v.InferOutput<typeof AlarmNotificationSchema>

/** First matching rule wins: alarm names matching `match` (a regular expression) get this severity or go to this user. */
export interface AlarmRules {
  severity?: { match: string; severity: Severity }[]
  route?: { match: string; userId: string }[]
}

/** AlarmRules as the fan-out reads them from HERALD_ALARM_RULES. */
export const AlarmRulesSchema = v.object({
  severity: v.optional(v.array(v.object({ match: v.string(), severity: SeveritySchema }))),
  route: v.optional(v.array(v.object({ match: v.string(), userId: v.string() }))),
})

const firstMatch = <T extends { match: string }>(rules: T[] | undefined, name: string) =>
  rules?.find((rule) => new RegExp(rule.match, 'i').test(name))

/**
 * An `alert` for a CloudWatch alarm's state change: its name as the title, the state reason as the
 * message, source `cloudwatch`. ALARM is `high` unless a rule says otherwise; OK is a `low` alert
 * marked resolved; INSUFFICIENT_DATA is `medium`. Broadcast unless a route names a user.
 *
 * @example alarmToAlert(notification, { severity: [{ match: 'critical|prod-db', severity: 'critical' }] })
 */
export function alarmToAlert(alarm: AlarmNotification, rules: AlarmRules = {}): PublishInput {
  const resolved = alarm.NewStateValue === 'OK'
  const severity: Severity = resolved
    ? 'low'
    : (firstMatch(rules.severity, alarm.AlarmName)?.severity ??
      (alarm.NewStateValue === 'ALARM' ? 'high' : 'medium'))
  const userId = firstMatch(rules.route, alarm.AlarmName)?.userId
  return {
    type: 'alert',
    ...(userId ? { userId } : {}),
    data: {
      severity,
      title: `${resolved ? 'Resolved: ' : ''}${alarm.AlarmName}`.slice(0, 256),
      message: alarm.NewStateReason.slice(0, 16_384),
      source: 'cloudwatch',
      metadata: {
        alarmArn: alarm.AlarmArn,
        state: alarm.NewStateValue,
        previousState: alarm.OldStateValue,
        resolved,
        region: alarm.Region,
        metric: alarm.Trigger?.MetricName,
        namespace: alarm.Trigger?.Namespace,
        description: alarm.AlarmDescription ?? undefined,
      },
    },
  }
}

/** The alarm in an SNS message body, if it is one. */
export function readAlarm(message: string): AlarmNotification | undefined {
  try {
    const parsed = v.safeParse(AlarmNotificationSchema, JSON.parse(message))
    return parsed.success ? parsed.output : undefined
  } catch {
    return undefined
  }
}
