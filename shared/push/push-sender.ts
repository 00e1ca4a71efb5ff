import { createHash } from 'node:crypto'
import webPush from 'web-push'
import { type BackoffClock, realClock, withBackoff } from '../backoff.js'
import type { NotificationEnvelope } from '../protocol/frames.js'
import type { PushSubscriptionJson } from '../protocol/push-subscription.js'

/** The key pair that signs Herald's pushes (RFC 8292), base64url as `web-push` makes it. */
export interface VapidKeys {
  publicKey: string
  privateKey: string
  /** A `mailto:` or `https:` contact the push services may use. */
  subject: string
}

export type PushOutcome = 'sent' | 'gone' | 'failed'

const URGENCY: Record<string, webPush.Urgency> = {
  critical: 'high',
  high: 'normal',
  medium: 'low',
  low: 'very-low',
}
/** How long a push service keeps an undelivered push: the history window, unless it expires sooner. */
const DEFAULT_TTL_SECONDS = 24 * 60 * 60

/** What a push may carry: push services take about 4 KB, encryption and padding included. */
const MAX_PAYLOAD_BYTES = 3_000

/**
 * The envelope as the push carries it: whole when it fits, else its id, type, time, thread and
 * expiry with the alert's severity, title and source and as much of its message as fits.
 */
export function pushPayloadOf(envelope: NotificationEnvelope): string {
  const whole = JSON.stringify(envelope)
  if (Buffer.byteLength(whole) <= MAX_PAYLOAD_BYTES) return whole
  const { severity, title, source, message } = envelope.data as Record<string, unknown>
  const { data: _data, ...rest } = envelope
  const brief = { ...rest, data: { severity, title: String(title ?? '').slice(0, 256), source } }
  const room = MAX_PAYLOAD_BYTES - Buffer.byteLength(JSON.stringify(brief)) - 64
  const text = String(message ?? '')
  return JSON.stringify({ ...brief, data: { ...brief.data, message: text.slice(0, Math.max(0, room / 4)) } })
}

/** A `Topic` header: at most 32 base64url characters, the same for every repeat of one alert. */
export function topicOf(envelope: NotificationEnvelope): string {
  const data = envelope.data as { title?: string; source?: string }
  const repeats = envelope.thread?.key ?? `${envelope.type}|${data.source ?? ''}|${data.title ?? envelope.id}`
  return createHash('sha256').update(repeats).digest('base64url').slice(0, 32)
}

/**
 * Sends one push (RFC 8030): the envelope as JSON, encrypted `aes128gcm` for the subscription
 * (RFC 8291) and signed with Herald's VAPID key (RFC 8292) by `web-push`; posted here, so 429 and
 * 5xx are retried until `deadline` and a 404 or 410 says the subscription is gone.
 */
export async function sendPush(
  subscription: PushSubscriptionJson,
  envelope: NotificationEnvelope,
  vapid: VapidKeys,
  options: { deadline: number; clock?: BackoffClock; now?: number },
): Promise<PushOutcome> {
  const clock = options.clock ?? realClock
  const now = options.now ?? clock.now()
  const ttl = envelope.expiresAt
    ? Math.max(0, Math.floor((Date.parse(envelope.expiresAt) - now) / 1000))
    : DEFAULT_TTL_SECONDS
  let details: webPush.RequestDetails
  try {
    details = webPush.generateRequestDetails(subscription, pushPayloadOf(envelope), {
      vapidDetails: vapid,
      contentEncoding: 'aes128gcm',
      TTL: ttl,
      urgency: URGENCY[(envelope.data as { severity?: string }).severity ?? ''] ?? 'normal',
      topic: topicOf(envelope),
    })
  } catch {
    // Keys nothing can be encrypted for (not a point on the curve): no push will ever get through.
    return 'gone'
  }
  const outcome = await withBackoff<PushOutcome>(
    async () => {
      try {
        const response = await fetch(details.endpoint, {
          method: details.method,
          headers: details.headers,
          body: details.body === null ? null : new Uint8Array(details.body),
          // A push service answers; it never sends Herald somewhere else.
          redirect: 'error',
          signal: AbortSignal.timeout(Math.max(1, options.deadline - clock.now())),
        })
        if (response.status === 404 || response.status === 410) return { done: true, value: 'gone' }
        if (response.ok) return { done: true, value: 'sent' }
        if (response.status === 429 || response.status >= 500) return { done: false }
        return { done: true, value: 'failed' }
      } catch {
        return { done: false }
      }
    },
    { baseMs: 100, maxMs: 2_000, deadline: options.deadline, clock },
  )
  return outcome?.value ?? 'failed'
}
