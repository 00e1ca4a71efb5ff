import { realClock } from '../backoff.js'
import { DEFAULTS } from '../defaults.js'
import { InvalidNotificationError } from '../errors.js'
import type { EscalationRequest } from '../escalation/escalation.js'
import { type Audience, audienceOf } from '../protocol/audience.js'
import type { NotificationEnvelope } from '../protocol/frames.js'
import type { Severity } from '../protocol/notifications.js'
import { inboxAccepts } from '../protocol/preference-rules.js'
import { type PublishBody, type PublishInput, toEnvelope } from '../protocol/publish-body.js'
import { atLeast } from '../protocol/severity.js'
import { TOPIC_OF } from '../protocol/topics.js'
import type { ConnectionStore } from '../store/connection-store.js'
import { type HistoryStore, headerOfEnvelope } from '../store/history-store.js'
import type { InboxOwner } from '../store/inbox-store.js'
import type { Recipient, RecipientLookup } from '../store/index-queries.js'
import type { ConnectionPoster } from './connection-poster.js'
import { type DeliveryQueue, planBatches } from './delivery-batch.js'
import type { DeliveryBudget } from './delivery-budget.js'
import { runPool } from './pool.js'
import { postOnceOpen } from './post-once-open.js'
import {
  type DeliveryClock,
  type DeliveryOptions,
  type DeliveryReport,
  deliver,
} from './post-to-recipients.js'

/** What delivering needs, in the planner and in the workers alike. */
export interface DeliveryDeps {
  connections: ConnectionStore
  poster: ConnectionPoster
  delivery?: { [K in keyof DeliveryOptions]?: DeliveryOptions[K] | undefined }
  clock?: DeliveryClock
  /** This instance's share of the account's Management API quota. @default unlimited */
  budget?: DeliveryBudget
}

export interface ShardingOptions {
  /** Audiences larger than this go to the delivery workers. @default DEFAULTS.fanoutBatchThreshold */
  threshold: number
  /** Recipients per worker batch. @default DEFAULTS.fanoutBatchSize */
  batchSize: number
}

export interface FanOutDeps extends DeliveryDeps {
  history: HistoryStore
  /** A tenant claim is configured: every publish must name its tenant. @default false */
  multiTenant?: boolean
  /** Where Herald's own integrations publish in a multi-tenant deployment (`"*"`: every tenant). */
  operatorTenant?: string | undefined
  /** The delivery workers' queue; without it every audience is delivered inline. */
  queue?: DeliveryQueue
  /**
   * Web Push, where it is on: starts the push function (asynchronously, so a slow push service
   * never holds the fan-out) for an alert at or above `minSeverity` whose user has no open tab.
   */
  push?: {
    start: (request: { owner: InboxOwner; envelope: NotificationEnvelope }) => Promise<void>
    minSeverity: Severity
  }
  /** E-mail escalation, where it is on: schedules the check of a critical alert's read state. */
  escalation?: { schedule: (request: EscalationRequest) => Promise<void> }
  sharding?: Partial<ShardingOptions>
}

export interface FanOutReport {
  id: string
  type: PublishBody['type']
  recipients: number
  /** Connections of the audience whose user's preferences mute this notification. */
  muted: number
  itemsRead: number
  /** Recipients handed to the delivery workers rather than delivered here. */
  queued: number
  delivered: number
  gone: number
  /** Refused by the Management API (bad request, too large, forbidden). */
  refused: number
  /** Still throttled or failing when the deadline passed. */
  exhausted: number
  retried: number
}

/** The connections of a notification's audience: a user's, a group's, or a topic's (log filters applied). */
export function findRecipients(
  connections: ConnectionStore,
  body: PublishBody,
  audience: Audience,
): Promise<RecipientLookup> {
  const topic = TOPIC_OF[body.type]
  switch (audience.kind) {
    case 'user':
      return connections.recipientsOfUser(audience.userId, topic, audience.scope)
    case 'group':
      return connections.recipientsOfGroup(audience.group, topic, audience.scope)
    case 'everyone':
      return body.type === 'log_event'
        ? connections.recipientsOfLog(body.data, audience.scope)
        : connections.recipientsOfTopic(topic, audience.scope)
  }
}

/**
 * A notification Herald itself makes (an alarm, a streamed log, an EventBridge event), addressed to
 * the operator tenant unless it names one. Without an operator tenant a multi-tenant deployment
 * refuses it as any publish without a tenant, so it is counted and kept, never sent to everyone.
 */
export function fromOperator<T extends PublishInput>(deps: Pick<FanOutDeps, 'operatorTenant'>, input: T): T {
  return input.tenant === undefined && deps.operatorTenant !== undefined
    ? { ...input, tenant: deps.operatorTenant }
    : input
}

/**
 * Posts to every recipient, then removes the connections that turned out to be gone. One still
 * opening (API Gateway answers 410 until its `$connect` has returned) is posted to again once it
 * opens, as its welcome is: a first connection has no resume cursor to find the notification by.
 */
export async function deliverToRecipients(
  deps: DeliveryDeps,
  recipients: readonly Recipient[],
  payload: string,
): Promise<DeliveryReport> {
  const report = await deliver(deps.poster, recipients, payload, deps.delivery, deps.clock, deps.budget)
  const concurrency = deps.delivery?.concurrency ?? DEFAULTS.deliveryConcurrency
  const opening: Recipient[] = []
  await runPool(report.gone, concurrency, async (recipient) => {
    const outcome = await deps.connections.removeGone(recipient.connectionId, [recipient.key])
    if (outcome === 'opening') opening.push(recipient)
  })
  const opened = new Set<Recipient>()
  const options = { clock: deps.clock, budget: deps.budget, deadlineMs: deps.delivery?.openingDeadlineMs }
  await runPool(opening, concurrency, async (recipient) => {
    const stillStored = () => deps.connections.isStored(recipient.connectionId)
    if (await postOnceOpen(deps.poster, recipient.connectionId, payload, { ...options, stillStored }))
      opened.add(recipient)
  })
  if (opened.size === 0) return report
  return {
    ...report,
    delivered: report.delivered + opened.size,
    gone: report.gone.filter((recipient) => !opened.has(recipient)),
  }
}

/** Starts the push function for a user's alert when none of their tabs is open to take it. */
async function pushIfOffline(
  deps: FanOutDeps,
  body: PublishBody,
  audience: Audience,
  lookup: RecipientLookup,
  envelope: NotificationEnvelope,
): Promise<void> {
  if (!deps.push || body.type !== 'alert' || audience.kind !== 'user' || lookup.recipients.length > 0) return
  if (!atLeast(body.data.severity, deps.push.minSeverity)) return
  await deps.push.start({ owner: { userId: audience.userId, tenant: audience.scope.tenant }, envelope })
}

/**
 * Schedules the e-mail a critical alert to one user becomes if it is still unread when the wait
 * is over (docs/architecture.md, Offline delivery), whether or not a tab of theirs is open now.
 */
async function escalateIfCritical(
  deps: FanOutDeps,
  body: PublishBody,
  audience: Audience,
  envelope: NotificationEnvelope,
): Promise<void> {
  if (!deps.escalation || body.type !== 'alert' || audience.kind !== 'user') return
  if (body.data.severity !== 'critical') return
  await deps.escalation.schedule({
    owner: { userId: audience.userId, tenant: audience.scope.tenant },
    id: envelope.id,
  })
}

/**
 * Delivers one published notification: records it in history first (so a client that reconnects
 * mid-fan-out can still resume it), then posts it to every recipient, itself for a small audience
 * or through the delivery workers for a large one. Running it twice for the same body sends the
 * same envelope id twice, which clients drop as a duplicate.
 */
export async function fanOut(
  deps: FanOutDeps,
  body: PublishBody,
  fallback: { id: string; timestamp: string },
): Promise<FanOutReport> {
  const envelope: NotificationEnvelope = toEnvelope(body, fallback)
  if (envelope.expiresAt !== undefined && Date.parse(envelope.expiresAt) <= (deps.clock ?? realClock).now())
    throw new InvalidNotificationError('expired', `notification expired at ${envelope.expiresAt}`)
  const audience = audienceOf(body, deps.multiTenant ?? false)
  const topic = TOPIC_OF[body.type]
  const [lookup] = await Promise.all([
    findRecipients(deps.connections, body, audience),
    body.type === 'log_event'
      ? undefined
      : deps.history.record(envelope, {
          topic,
          tenant: audience.scope.tenant,
          userId: audience.kind === 'user' ? audience.userId : undefined,
          group: audience.kind === 'group' ? audience.group : undefined,
        }),
  ])
  await pushIfOffline(deps, body, audience, lookup, envelope)
  const payload = JSON.stringify(envelope)
  // Each recipient's index item carries its user's preferences: muting costs no read.
  const header = headerOfEnvelope(envelope)
  const recipients = lookup.recipients.filter((recipient) => inboxAccepts(recipient.preferences, header))
  const base = {
    id: envelope.id,
    type: body.type,
    recipients: recipients.length,
    muted: lookup.recipients.length - recipients.length,
    itemsRead: lookup.itemsRead,
  }
  // Scheduled beside the delivery, so a slow scheduler never holds a post.
  const [delivery] = await Promise.all([
    deliverToAudience(deps, recipients, payload),
    escalateIfCritical(deps, body, audience, envelope),
  ])
  return { ...base, ...delivery }
}

/** Delivers to the recipients here, or hands a large audience to the delivery workers. */
async function deliverToAudience(
  deps: FanOutDeps,
  recipients: readonly Recipient[],
  payload: string,
): Promise<Pick<FanOutReport, 'queued' | 'delivered' | 'gone' | 'refused' | 'exhausted' | 'retried'>> {
  const threshold = deps.sharding?.threshold ?? DEFAULTS.fanoutBatchThreshold
  if (deps.queue && recipients.length > threshold) {
    await deps.queue.send(
      planBatches(recipients, payload, deps.sharding?.batchSize ?? DEFAULTS.fanoutBatchSize),
    )
    return { queued: recipients.length, delivered: 0, gone: 0, refused: 0, exhausted: 0, retried: 0 }
  }
  const report = await deliverToRecipients(deps, recipients, payload)
  return {
    queued: 0,
    delivered: report.delivered,
    gone: report.gone.length,
    refused: report.refused.length,
    exhausted: report.exhausted.length,
    retried: report.retried,
  }
}
