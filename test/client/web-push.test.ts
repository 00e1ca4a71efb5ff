import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isSubscribedWith, vapidKeyBytes } from '../../client/core/vapid-key.js'
import { PushError } from '../../client/errors.js'
import { disablePush, enablePush } from '../../client/web-push.js'
import { WebSocketService } from '../../client/websocket-service.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import {
  ENDPOINT,
  type FakePushBrowser,
  FakePushSubscription,
  fakePushBrowser,
  KEYS,
  PUBLIC_KEY,
  SW,
  vapidPublicKey,
  welcome,
} from './fake-push-browser.js'

let browser: FakePushBrowser

/** A service whose socket is open, welcomed with `publicKey` (null: a server without Web Push). */
async function connected(publicKey: string | null = PUBLIC_KEY): Promise<WebSocketService> {
  const service = new WebSocketService({
    url: 'ws://herald.test',
    token: 't',
    WebSocket: FakeWebSocket,
    reconnectDelay: 10,
  })
  service.connect()
  await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1))
  welcome(publicKey)
  return service
}

/** Resolves once the socket has sent a frame of `type`. */
const sent = (type: string) =>
  vi.waitFor(() => {
    const frame = FakeWebSocket.last.sent.find((each) => each.type === type)
    if (!frame) throw new Error(`no ${type} sent yet`)
    return frame
  })

/** Whether a promise has settled by now. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending')
  return (
    (await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      Promise.resolve(pending),
    ])) !== pending
  )
}

beforeEach(() => {
  FakeWebSocket.reset()
  browser = fakePushBrowser()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('Function: vapidKeyBytes', () => {
  it('decodes an unpadded base64url key to the raw point’s 65 bytes', () => {
    // Prepare
    const key = vapidPublicKey()

    // Act
    const bytes = vapidKeyBytes(key)

    // Assess
    expect(Buffer.from(bytes)).toEqual(Buffer.from(key, 'base64url'))
    expect(bytes).toHaveLength(65)
  })

  it('tells a subscription made with the key from one made with another', () => {
    const key = vapidKeyBytes(PUBLIC_KEY)
    const held = new FakePushSubscription(ENDPOINT, key, () => {})

    expect(isSubscribedWith(held as unknown as PushSubscription, key)).toBe(true)
    expect(isSubscribedWith(held as unknown as PushSubscription, vapidKeyBytes(vapidPublicKey()))).toBe(false)
  })
})

describe('Function: enablePush', () => {
  it('asks permission at once, subscribes with the welcome’s VAPID key once the worker is active, and resolves on push_subscribed', async () => {
    // Prepare
    const service = await connected()

    // Act
    const enabling = enablePush(service, { serviceWorkerUrl: SW })
    // Synchronously, in the click's task: a prompt asked later may not be shown.
    expect(browser.requestPermission).toHaveBeenCalledTimes(1)
    const frame = await sent('push_subscribe')

    // Assess
    const pushManager = browser.serviceWorkers.pushManagerOf(SW)
    expect(pushManager.subscribed).toEqual([
      { userVisibleOnly: true, applicationServerKey: vapidKeyBytes(PUBLIC_KEY) },
    ])
    expect(frame).toEqual({ type: 'push_subscribe', subscription: { endpoint: ENDPOINT, keys: KEYS } })
    expect(await settled(enabling)).toBe(false)
    FakeWebSocket.last.receive('push_subscribed', {})
    expect(await enabling).toBe(pushManager.current)
  })

  it('rejects with invalid_subscription, and the server’s reason, when Herald refuses the subscription', async () => {
    const service = await connected()

    const enabling = enablePush(service, { serviceWorkerUrl: SW })
    await sent('push_subscribe')
    FakeWebSocket.last.receive('error', {
      code: 'invalid_subscription',
      message: 'invalid push_subscribe: endpoint is not a known push service',
    })

    await expect(enabling).rejects.toMatchObject({
      name: 'PushError',
      code: 'invalid_subscription',
      message: 'invalid push_subscribe: endpoint is not a known push service',
    })
  })

  it.each([
    [
      'unsupported',
      'the browser has no Push API',
      () => {
        vi.unstubAllGlobals()
        fakePushBrowser({ supported: false })
      },
      PUBLIC_KEY,
    ],
    ['push_unavailable', 'the welcome carried no VAPID key', () => {}, null],
    [
      'permission_denied',
      'the user blocks notifications',
      () => {
        browser.answer.permission = 'denied'
      },
      PUBLIC_KEY,
    ],
    [
      'permission_dismissed',
      'the user dismisses the prompt',
      () => {
        browser.answer.permission = 'default'
      },
      PUBLIC_KEY,
    ],
  ] as const)('rejects with %s when %s, and sends nothing', async (code, _when, prepare, publicKey) => {
    // Prepare
    const service = await connected(publicKey)
    prepare()

    // Act
    const enabling = enablePush(service, { serviceWorkerUrl: SW })

    // Assess
    await expect(enabling).rejects.toBeInstanceOf(PushError)
    await expect(enabling).rejects.toHaveProperty('code', code)
    expect(FakeWebSocket.last.types()).not.toContain('push_subscribe')
  })

  it('rejects with not_connected before the first welcome, without asking permission', async () => {
    const service = new WebSocketService({ url: 'ws://herald.test', token: 't', WebSocket: FakeWebSocket })

    await expect(enablePush(service, { serviceWorkerUrl: SW })).rejects.toHaveProperty(
      'code',
      'not_connected',
    )
    expect(browser.requestPermission).not.toHaveBeenCalled()
  })

  it('rejects with service_worker_failed when the worker fails to install', async () => {
    const service = await connected()
    browser.serviceWorkers.states = ['redundant']

    await expect(enablePush(service, { serviceWorkerUrl: SW })).rejects.toHaveProperty(
      'code',
      'service_worker_failed',
    )
  })

  it('rejects with subscribe_failed, naming the browser’s error, when the browser refuses to subscribe', async () => {
    const service = await connected()
    await browser.serviceWorkers.register(SW)
    const refusal = new DOMException('Registration failed - permission denied', 'AbortError')
    browser.serviceWorkers.pushManagerOf(SW).failure = refusal

    const enabling = enablePush(service, { serviceWorkerUrl: SW })

    await expect(enabling).rejects.toMatchObject({
      code: 'subscribe_failed',
      message: 'The browser could not subscribe to push: AbortError: Registration failed - permission denied',
      cause: refusal,
    })
    expect(FakeWebSocket.last.types()).not.toContain('push_subscribe')
  })

  it('rejects with subscribe_failed after timeoutMs when the push service never answers', async () => {
    const service = await connected()
    await browser.serviceWorkers.register(SW)
    browser.serviceWorkers.pushManagerOf(SW).hangs = true
    vi.useFakeTimers()

    const enabling = enablePush(service, { serviceWorkerUrl: SW, timeoutMs: 5000 })
    const outcome = expect(enabling).rejects.toMatchObject({
      code: 'subscribe_failed',
      message:
        'The browser could not subscribe to push: TimeoutError: the push service did not answer within 5 s',
    })
    await vi.advanceTimersByTimeAsync(4999)
    expect(await settled(enabling)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)

    await outcome
  })

  it('rejects with no_answer when Herald does not answer within timeoutMs', async () => {
    const service = await connected()
    vi.useFakeTimers()

    const enabling = enablePush(service, { serviceWorkerUrl: SW, timeoutMs: 5000 })
    const outcome = expect(enabling).rejects.toHaveProperty('code', 'no_answer')
    await vi.advanceTimersByTimeAsync(5000)

    await outcome
  })

  it('sends the subscription the browser holds again, which renews it, without asking or subscribing anew', async () => {
    // Prepare
    const service = await connected()
    await browser.serviceWorkers.register(SW)
    const pushManager = browser.serviceWorkers.pushManagerOf(SW)
    const held = pushManager.hold('https://fcm.googleapis.com/fcm/send/held', vapidKeyBytes(PUBLIC_KEY))
    browser.Notification.permission = 'granted'

    // Act
    const enabling = enablePush(service, { serviceWorkerUrl: SW })
    const frame = await sent('push_subscribe')
    FakeWebSocket.last.receive('push_subscribed', {})

    // Assess
    expect(await enabling).toBe(held)
    expect(frame).toMatchObject({ subscription: { endpoint: 'https://fcm.googleapis.com/fcm/send/held' } })
    expect(pushManager.subscribed).toEqual([])
    expect(browser.requestPermission).not.toHaveBeenCalled()
  })

  it('replaces a subscription made with another VAPID key', async () => {
    const service = await connected()
    await browser.serviceWorkers.register(SW)
    const pushManager = browser.serviceWorkers.pushManagerOf(SW)
    const stale = pushManager.hold(
      'https://fcm.googleapis.com/fcm/send/stale',
      vapidKeyBytes(vapidPublicKey()),
    )

    const enabling = enablePush(service, { serviceWorkerUrl: SW })
    const frame = await sent('push_subscribe')
    FakeWebSocket.last.receive('push_subscribed', {})
    await enabling

    expect(stale.unsubscribed).toBe(true)
    expect(frame).toMatchObject({ subscription: { endpoint: ENDPOINT } })
  })

  it('sends the subscription once the socket is back when it was down, and resolves on that answer', async () => {
    const service = await connected()
    FakeWebSocket.last.drop()

    const enabling = enablePush(service, { serviceWorkerUrl: SW, timeoutMs: 60_000 })
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2))
    welcome(PUBLIC_KEY)
    await sent('push_subscribe')
    FakeWebSocket.last.receive('push_subscribed', {})

    await expect(enabling).resolves.toBeDefined()
  })
})

describe('Function: disablePush', () => {
  it('cancels the browser’s subscription, tells Herald its endpoint, and resolves on push_unsubscribed', async () => {
    // Prepare
    const service = await connected()
    await browser.serviceWorkers.register(SW)
    const held = browser.serviceWorkers.pushManagerOf(SW).hold(ENDPOINT, vapidKeyBytes(PUBLIC_KEY))

    // Act
    const disabling = disablePush(service, { serviceWorkerUrl: SW })
    const frame = await sent('push_unsubscribe')
    FakeWebSocket.last.receive('push_unsubscribed', {})
    await disabling

    // Assess
    expect(held.unsubscribed).toBe(true)
    expect(frame).toEqual({ type: 'push_unsubscribe', endpoint: ENDPOINT })
  })

  it('resolves at once, sending nothing, when the browser holds no subscription', async () => {
    const service = await connected()

    await disablePush(service, { serviceWorkerUrl: SW })

    expect(FakeWebSocket.last.types()).not.toContain('push_unsubscribe')
  })

  it('rejects with unsubscribe_failed when the browser cannot cancel, and tells Herald nothing', async () => {
    const service = await connected()
    await browser.serviceWorkers.register(SW)
    const held = browser.serviceWorkers.pushManagerOf(SW).hold(ENDPOINT, vapidKeyBytes(PUBLIC_KEY))
    vi.spyOn(held, 'unsubscribe').mockRejectedValue(
      new DOMException('push service unreachable', 'AbortError'),
    )

    await expect(disablePush(service, { serviceWorkerUrl: SW })).rejects.toMatchObject({
      code: 'unsubscribe_failed',
      message: 'The browser could not unsubscribe: AbortError: push service unreachable',
    })
    expect(FakeWebSocket.last.types()).not.toContain('push_unsubscribe')
  })
})
