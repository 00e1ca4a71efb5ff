import * as v from 'valibot'
import { LabelSchema, SeveritySchema } from './notifications.js'
import { MUTABLE_TOPICS } from './topics.js'

/** Mutes a user may keep, sources and topics together: enough for the noisy ones, bounded per item read. */
export const MAX_MUTES = 50

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
