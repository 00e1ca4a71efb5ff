import type { Preferences } from './preferences.js'
import { atLeast } from './severity.js'
import { MUTABLE_TOPICS } from './topics.js'

// What preferences do, apart from their schema: the fan-out, the inbox and the push function apply
// them without loading the validation code the browser and the message function need.

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

/**
 * Why a user's preferences keep a notification off a channel that reaches them away from their
 * tabs (a push, an e-mail): it is muted in their inbox, or below that channel's own threshold.
 * Undefined when they let it through.
 */
export function offlineRefusal(
  preferences: Preferences | undefined,
  notification: Muteable,
  channel: 'push' | 'email',
): 'muted' | 'below_threshold' | undefined {
  if (!inboxAccepts(inboxPreferencesOf(preferences), notification)) return 'muted'
  return atLeast(notification.severity, preferences?.minSeverity?.[channel]) ? undefined : 'below_threshold'
}

/** The minutes since midnight of `date` in `timeZone`. */
function minutesIn(date: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date)
  const value = (type: string): number => Number(parts.find((part) => part.type === type)?.value)
  return value('hour') * 60 + value('minute')
}

const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

/** Whether `date` falls in the user's quiet hours, which may run past midnight (22:00 to 07:00). */
export function inQuietHours(preferences: Preferences | undefined, date: Date): boolean {
  const quiet = preferences?.quietHours
  if (!quiet) return false
  const now = minutesIn(date, quiet.timeZone)
  const start = minutesOf(quiet.start)
  const end = minutesOf(quiet.end)
  return start <= end ? now >= start && now < end : now >= start || now < end
}
