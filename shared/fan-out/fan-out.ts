import type { NotificationEnvelope } from '../protocol/frames.js'
import { type PublishBody, TOPIC_OF, targetUserOf, toEnvelope } from '../protocol/publish-body.js'
import type { ConnectionStore, RecipientLookup } from '../store/connection-store.js'
import type { HistoryStore } from '../store/history-store.js'
import type { ConnectionPoster } from './connection-poster.js'
import { type DeliveryClock, type DeliveryOptions, deliver } from './deliver.js'
import { runPool } from './pool.js'

export interface FanOutDeps {
  connections: ConnectionStore
  history: HistoryStore
  poster: ConnectionPoster
  delivery?: { [K in keyof DeliveryOptions]?: DeliveryOptions[K] | undefined }
  clock?: DeliveryClock
}

export interface FanOutReport {
  id: string
  type: PublishBody['type']
  recipients: number
  itemsRead: number
  delivered: number
  gone: number
  /** Refused by the Management API (bad request, too large, forbidden). */
  rejected: number
  /** Still throttled or failing when the deadline passed. */
  exhausted: number
  retried: number
}

/** Who a notification is for: the target user's connections, or a topic's (log filters applied). */
export function findRecipients(connections: ConnectionStore, body: PublishBody): Promise<RecipientLookup> {
  const topic = TOPIC_OF[body.type]
  const userId = targetUserOf(body)
  if (userId) return connections.recipientsOfUser(userId, topic)
  if (body.type === 'log_event') return connections.recipientsOfLog(body.data)
  return connections.recipientsOfTopic(topic)
}

/**
 * Delivers one published notification: records it in history first (so a client that reconnects
 * mid-fan-out can still resume it), posts it to every recipient, then removes the connections that
 * turned out to be gone. Running it twice for the same body sends the same envelope id twice,
 * which clients drop as a duplicate.
 */
export async function fanOut(
  deps: FanOutDeps,
  body: PublishBody,
  fallback: { id: string; timestamp: string },
): Promise<FanOutReport> {
  const envelope: NotificationEnvelope = toEnvelope(body, fallback)
  const topic = TOPIC_OF[body.type]
  const [lookup] = await Promise.all([
    findRecipients(deps.connections, body),
    body.type === 'log_event'
      ? undefined
      : deps.history.record(envelope, { topic, userId: targetUserOf(body) }),
  ])
  const report = await deliver(
    deps.poster,
    lookup.recipients,
    JSON.stringify(envelope),
    deps.delivery,
    deps.clock,
  )
  await runPool(report.gone, deps.delivery?.concurrency ?? 25, (recipient) =>
    deps.connections.remove(recipient.connectionId, [recipient.key]),
  )
  return {
    id: envelope.id,
    type: body.type,
    recipients: lookup.recipients.length,
    itemsRead: lookup.itemsRead,
    delivered: report.delivered,
    gone: report.gone.length,
    rejected: report.rejected.length,
    exhausted: report.exhausted.length,
    retried: report.retried,
  }
}
