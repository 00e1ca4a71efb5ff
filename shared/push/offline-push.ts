import type { BackoffClock } from '../backoff.js'
import { realClock } from '../backoff.js'
import { DEFAULTS } from '../defaults.js'
import type { NotificationEnvelope } from '../protocol/frames.js'
import type { Severity } from '../protocol/notifications.js'
import { inQuietHours, offlineRefusal } from '../protocol/preference-rules.js'
import { atLeast } from '../protocol/severity.js'
import { headerOfEnvelope } from '../store/history-store.js'
import type { InboxOwner } from '../store/inbox-store.js'
import type { UserStore } from '../store/user-store.js'
import { type PushOutcome, sendPush, type VapidKeys } from './push-sender.js'
import type { PushStore } from './push-store.js'

export interface OfflinePushDeps {
  subscriptions: Pick<PushStore, 'list' | 'remove'>
  preferences: Pick<UserStore, 'get'>
  /** The VAPID key pair, read once per cold start. */
  vapid: () => Promise<VapidKeys>
  /** Alerts below this are not pushed; a user's `minSeverity.push` may only raise it. @default DEFAULTS.pushMinSeverity */
  minSeverity?: Severity
  /** How long the pushes of one alert may keep being retried. @default 10000 */
  deadlineMs?: number
  clock?: BackoffClock
}

/** What became of one alert's pushes: one count per subscription, or why none was tried. */
export interface PushReport {
  sent: number
  failed: number
  /** Subscriptions the push service said are gone (404, 410): deleted. */
  expired: number
  skipped?: 'below_threshold' | 'muted' | 'quiet_hours' | 'expired' | 'no_subscription'
}

const empty = (skipped: PushReport['skipped']): PushReport => ({ sent: 0, failed: 0, expired: 0, skipped })

/**
 * Pushes an alert to every browser the user subscribed, when none of their tabs is open
 * (docs/architecture.md, Offline delivery): unless their preferences mute it, it is below their
 * push threshold, or it is quiet hours and it is not critical. A gone subscription is deleted.
 */
export async function pushToUser(
  deps: OfflinePushDeps,
  owner: InboxOwner,
  envelope: NotificationEnvelope,
): Promise<PushReport> {
  const clock = deps.clock ?? realClock
  const now = clock.now()
  const preferences = await deps.preferences.get(owner)
  const header = headerOfEnvelope(envelope)
  const severity = header.severity
  if (envelope.expiresAt !== undefined && Date.parse(envelope.expiresAt) <= now) return empty('expired')
  const refusal = offlineRefusal(preferences, header, 'push')
  if (refusal) return empty(refusal)
  // The deployment's threshold is the floor (the fan-out starts no push below it); a user may raise it.
  if (!atLeast(severity, deps.minSeverity ?? DEFAULTS.pushMinSeverity)) return empty('below_threshold')
  if (severity !== 'critical' && inQuietHours(preferences, new Date(now))) return empty('quiet_hours')
  const subscriptions = await deps.subscriptions.list(owner)
  if (subscriptions.length === 0) return empty('no_subscription')
  const vapid = await deps.vapid()
  const deadline = now + (deps.deadlineMs ?? 10_000)
  const outcomes: PushOutcome[] = await Promise.all(
    subscriptions.map((subscription) => sendPush(subscription, envelope, vapid, { deadline, clock })),
  )
  await Promise.all(
    subscriptions.map((subscription, i) =>
      outcomes[i] === 'gone' ? deps.subscriptions.remove(owner, subscription.endpoint) : undefined,
    ),
  )
  const count = (outcome: PushOutcome): number => outcomes.filter((each) => each === outcome).length
  return { sent: count('sent'), failed: count('failed'), expired: count('gone') }
}
