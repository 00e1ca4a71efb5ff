import type { ClientMessage } from '../shared/protocol/frames.js'
import type { PushSubscriptionJson } from '../shared/protocol/push-subscription.js'
import { registerActive } from './core/service-worker.js'
import { isSubscribedWith, vapidKeyBytes } from './core/vapid-key.js'
import { PushError } from './errors.js'
import type { WebSocketService } from './websocket-service.js'

/** How long the browser's push service, then Herald, each get to answer. */
const DEFAULT_TIMEOUT_MS = 30_000

export interface PushOptions {
  /**
   * The service worker that shows the pushes, e.g. `/herald-sw.js`; its scope is the default one
   * (the folder it is served from).
   */
  serviceWorkerUrl: string
  /** How long the browser's push service, then Herald, each get to answer. @default 30000 */
  timeoutMs?: number
}

/** Whether this browser can receive Web Push: service workers, the Push API and notifications. */
export function isPushSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    'PushManager' in globalThis &&
    'Notification' in globalThis
  )
}

/**
 * Turns on Web Push for this browser: asks the user's permission, registers the service worker,
 * subscribes with the server's VAPID key and sends the subscription over the socket
 * (docs/architecture.md, Offline delivery). Herald then pushes the user's alerts while none of
 * their tabs is open, for 30 days from the last call: calling it again (on every visit, say) sends
 * the subscription again and renews it. A subscription made with another key is replaced.
 *
 * Call it from a user gesture (a click handler), without awaiting anything before it: browsers
 * only show the permission prompt during one, and some refuse outright otherwise. The socket must
 * have been welcomed once, for its VAPID key.
 *
 * Rejects with a {@link PushError} whose `code` says why.
 *
 * @example
 * button.onclick = () => enablePush(herald, { serviceWorkerUrl: '/herald-sw.js' }).catch(showError)
 */
export async function enablePush(service: WebSocketService, options: PushOptions): Promise<PushSubscription> {
  if (!isPushSupported()) throw new PushError('unsupported', 'This browser cannot receive Web Push')
  if (!service.identity) throw new PushError('not_connected', 'Not connected to Herald yet')
  const publicKey = service.pushPublicKey
  if (!publicKey) throw new PushError('push_unavailable', 'Web Push is not on in this Herald deployment')
  // First, while the user gesture lasts.
  const permission =
    Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission()
  if (permission === 'denied')
    throw new PushError('permission_denied', 'Notifications are blocked for this site in the browser')
  if (permission !== 'granted')
    throw new PushError('permission_dismissed', 'Notifications were not allowed: the prompt was dismissed')
  const registration = await registerActive(options.serviceWorkerUrl).catch((cause: unknown) => {
    throw new PushError('service_worker_failed', `Could not register ${options.serviceWorkerUrl}`, { cause })
  })
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const subscription = await subscribed(registration.pushManager, vapidKeyBytes(publicKey), timeoutMs)
  await ask(service, { type: 'push_subscribe', subscription: jsonOf(subscription) }, timeoutMs)
  return subscription
}

/**
 * Turns off Web Push for this browser: the subscription is cancelled at the push service and
 * Herald forgets it. Resolves at once when there is none. Rejects with a {@link PushError}.
 */
export async function disablePush(service: WebSocketService, options: PushOptions): Promise<void> {
  if (!isPushSupported()) throw new PushError('unsupported', 'This browser cannot receive Web Push')
  let endpoint: string
  try {
    const registration = await navigator.serviceWorker.getRegistration(options.serviceWorkerUrl)
    const subscription = await registration?.pushManager.getSubscription()
    if (!subscription) return
    endpoint = subscription.endpoint
    // The browser's side first: a subscription Herald still holds is deleted at its next push (410).
    await subscription.unsubscribe()
  } catch (cause) {
    throw new PushError('unsubscribe_failed', `The browser could not unsubscribe: ${errorText(cause)}`, {
      cause,
    })
  }
  await ask(service, { type: 'push_unsubscribe', endpoint }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
}

/** The registration's subscription for `key`: the one it holds, or a new one. */
async function subscribed(
  pushManager: PushManager,
  key: Uint8Array<ArrayBuffer>,
  timeoutMs: number,
): Promise<PushSubscription> {
  try {
    const held = await pushManager.getSubscription()
    if (held && isSubscribedWith(held, key)) return held
    await held?.unsubscribe()
    return await within(
      pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
      timeoutMs,
      () => new DOMException(`the push service did not answer within ${timeoutMs / 1000} s`, 'TimeoutError'),
    )
  } catch (cause) {
    throw new PushError('subscribe_failed', `The browser could not subscribe to push: ${errorText(cause)}`, {
      cause,
    })
  }
}

function jsonOf(subscription: PushSubscription): PushSubscriptionJson {
  const { endpoint, keys } = subscription.toJSON()
  if (!endpoint || !keys?.p256dh || !keys.auth)
    throw new PushError('subscribe_failed', 'The browser gave a subscription without an endpoint or keys')
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }
}

/**
 * Sends a push frame and waits for its answer: `push_subscribed` or `push_unsubscribed`, or an
 * `error` with `invalid_subscription`. A frame sent while the socket is down waits for the next.
 */
function ask(service: WebSocketService, message: ClientMessage, timeoutMs: number): Promise<void> {
  const answer = message.type === 'push_subscribe' ? 'push_subscribed' : 'push_unsubscribed'
  let remove = (): void => {}
  const answered = new Promise<void>((resolve, reject) => {
    remove = service.addListener({
      onMessage: (frame) => {
        if (frame.type === answer) resolve()
        else if (frame.type === 'error' && frame.data.code === 'invalid_subscription')
          reject(new PushError('invalid_subscription', frame.data.message))
      },
    })
    service.send(message)
  })
  const timedOut = (): PushError =>
    new PushError('no_answer', `Herald did not answer ${message.type} within ${timeoutMs / 1000} s`)
  return within(answered, timeoutMs, timedOut).finally(remove)
}

/** `promise`, or a rejection with `timedOut()` if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A browser error as a person reads it: `AbortError: Registration failed - permission denied`. */
function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
