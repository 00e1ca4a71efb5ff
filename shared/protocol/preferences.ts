import * as v from 'valibot'
import { LabelSchema, SEVERITIES, type Severity, SeveritySchema } from './notifications.js'

/** Mutes a user may keep, sources and topics together: enough for the noisy ones, bounded per item read. */
export const MAX_MUTES = 50

/** The topics a user may mute: log events and system notices ignore mutes. */
const MUTABLE_TOPICS = ['alerts', 'uploads'] as const

const ClockTimeSchema = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM'))

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * What a user chose for their inbox, kept per user within a tenant (docs/architecture.md,
 * Preferences). `set_preferences` replaces them whole.
 */
export const PreferencesSchema = v.pipe(
  v.strictObject({
    mute: v.optional(
      v.strictObject({
        sources: v.optional(v.array(LabelSchema)),
        topics: v.optional(v.array(v.picklist(MUTABLE_TOPICS, 'must be alerts or uploads'))),
      }),
    ),
    minSeverity: v.optional(
      v.strictObject({
        inbox: v.optional(SeveritySchema),
        toast: v.optional(SeveritySchema),
        push: v.optional(SeveritySchema),
        email: v.optional(SeveritySchema),
      }),
    ),
    quietHours: v.optional(
      v.strictObject({
        start: ClockTimeSchema,
        end: ClockTimeSchema,
        timeZone: v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone')),
      }),
    ),
  }),
  v.check(
    (preferences) =>
      (preferences.mute?.sources?.length ?? 0) + (preferences.mute?.topics?.length ?? 0) <= MAX_MUTES,
    `at most ${MAX_MUTES} mutes, sources and topics together`,
  ),
)
export type Preferences = v.InferOutput<typeof PreferencesSchema>

/** The part of the preferences the inbox applies: what the fan-out must know of each recipient. */
export type InboxPreferences = Pick<Preferences, 'mute'> & { minSeverity?: Pick<Severities, 'inbox'> }
type Severities = NonNullable<Preferences['minSeverity']>

/** `preferences` without what the inbox does not apply; undefined when nothing is left. */
export function inboxPreferencesOf(preferences: Preferences | undefined): InboxPreferences | undefined {
  const sources = preferences?.mute?.sources ?? []
  const topics = preferences?.mute?.topics ?? []
  const inbox = preferences?.minSeverity?.inbox
  if (!sources.length && !topics.length && inbox === undefined) return undefined
  return {
    ...(sources.length || topics.length ? { mute: { sources, topics } } : {}),
    ...(inbox === undefined ? {} : { minSeverity: { inbox } }),
  }
}

/** What the fan-out needs to know of a notification to apply a user's preferences to it. */
export interface Muteable {
  topic: string
  source?: string | undefined
  /** An alert's severity; other notifications have none, and no threshold applies to them. */
  severity?: string | undefined
}

const rank = (severity: string): number => SEVERITIES.indexOf(severity as Severity)

/** Whether `severity` is at or above `threshold` (SEVERITIES run from critical down). */
export function atLeast(severity: string | undefined, threshold: Severity | undefined): boolean {
  return threshold === undefined || severity === undefined || rank(severity) <= rank(threshold)
}

/**
 * Whether the user's inbox takes this notification: not from a muted source or topic, and not
 * below `minSeverity.inbox`. Only alerts and upload statuses are subject to preferences.
 */
export function inboxAccepts(preferences: InboxPreferences | undefined, notification: Muteable): boolean {
  if (!preferences || !(MUTABLE_TOPICS as readonly string[]).includes(notification.topic)) return true
  const { mute, minSeverity } = preferences
  if (mute?.topics?.includes(notification.topic as (typeof MUTABLE_TOPICS)[number])) return false
  if (notification.source !== undefined && mute?.sources?.includes(notification.source)) return false
  return atLeast(notification.severity, minSeverity?.inbox)
}
