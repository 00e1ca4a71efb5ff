import { createECDH } from 'node:crypto'
import { type MockInstance, vi } from 'vitest'
import { FakeWebSocket } from '../support/fake-websocket.js'

/** A VAPID public key as a deployment's welcome carries it: an uncompressed P-256 point, base64url. */
export function vapidPublicKey(): string {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  return ecdh.getPublicKey().toString('base64url')
}

/** The service worker the tests enable push with, and the deployment's VAPID key. */
export const SW = '/herald-sw.js'
export const PUBLIC_KEY = vapidPublicKey()
export const ENDPOINT = 'https://fcm.googleapis.com/fcm/send/abc123'
export const KEYS = {
  p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
  auth: 'tBHItJI5svbpez7KI4CCXg',
}

/** A browser's push subscription: what `toJSON()` gives, and whether it was cancelled. */
export class FakePushSubscription {
  readonly options: { applicationServerKey: ArrayBuffer; userVisibleOnly: boolean }
  unsubscribed = false

  constructor(
    readonly endpoint: string,
    key: Uint8Array,
    readonly onUnsubscribe: () => void,
  ) {
    this.options = { applicationServerKey: new Uint8Array(key).buffer, userVisibleOnly: true }
  }

  toJSON(): unknown {
    return { endpoint: this.endpoint, expirationTime: null, keys: KEYS }
  }

  async unsubscribe(): Promise<boolean> {
    this.unsubscribed = true
    this.onUnsubscribe()
    return true
  }
}

/**
 * A registration's push manager with no push service behind it: `subscribe` succeeds, fails with
 * `failure`, or, `hangs`, never answers, as a browser that cannot reach its push service does.
 */
export class FakePushManager {
  current: FakePushSubscription | null = null
  readonly subscribed: { userVisibleOnly?: boolean; applicationServerKey?: Uint8Array }[] = []
  failure: Error | undefined
  hangs = false

  async getSubscription(): Promise<FakePushSubscription | null> {
    return this.current
  }

  subscribe(options: { userVisibleOnly?: boolean; applicationServerKey?: Uint8Array }): Promise<unknown> {
    this.subscribed.push(options)
    if (this.hangs) return new Promise(() => {})
    if (this.failure) return Promise.reject(this.failure)
    return Promise.resolve(this.hold(ENDPOINT, options.applicationServerKey as Uint8Array))
  }

  /** A subscription the browser already holds, made with `key`. */
  hold(endpoint: string, key: Uint8Array): FakePushSubscription {
    const subscription = new FakePushSubscription(endpoint, key, () => {
      if (this.current === subscription) this.current = null
    })
    this.current = subscription
    return subscription
  }
}

/** A service worker that goes through its states a microtask after it is registered. */
class FakeWorker extends EventTarget {
  state = 'installing'

  constructor(states: string[]) {
    super()
    queueMicrotask(() => {
      for (const state of states) {
        this.state = state
        this.dispatchEvent(new Event('statechange'))
      }
    })
  }
}

interface FakeRegistration {
  installing: FakeWorker | null
  active: FakeWorker | null
  waiting: null
  pushManager: FakePushManager
}

/** `navigator.serviceWorker`: one registration per script URL, found again by it. */
export class FakeServiceWorkers {
  readonly registrations = new Map<string, FakeRegistration>()
  /** The states a new worker goes through: a worker whose install fails ends `redundant`. */
  states = ['installed', 'activating', 'activated']

  async register(url: string): Promise<unknown> {
    const held = this.registrations.get(url)
    if (held) return held
    const worker = new FakeWorker(this.states)
    const registration: FakeRegistration = {
      installing: worker,
      active: null,
      waiting: null,
      pushManager: new FakePushManager(),
    }
    worker.addEventListener('statechange', () => {
      if (worker.state !== 'activated') return
      registration.installing = null
      registration.active = worker
    })
    this.registrations.set(url, registration)
    return registration
  }

  async getRegistration(url: string): Promise<unknown> {
    return this.registrations.get(url)
  }

  pushManagerOf(url: string): FakePushManager {
    const registration = this.registrations.get(url)
    if (!registration) throw new Error(`${url} was never registered`)
    return registration.pushManager
  }
}

/** The browser's part of Web Push, faked: the globals `enablePush` reads, and what they were asked. */
export interface FakePushBrowser {
  serviceWorkers: FakeServiceWorkers
  /** What the permission prompt answers. */
  answer: { permission: NotificationPermission }
  requestPermission: MockInstance<() => Promise<NotificationPermission>>
  Notification: {
    permission: NotificationPermission
    requestPermission: () => Promise<NotificationPermission>
  }
}

/** Installs the fakes as globals (`vi.unstubAllGlobals()` removes them); `supported: false` leaves out PushManager. */
export function fakePushBrowser({ supported = true } = {}): FakePushBrowser {
  const serviceWorkers = new FakeServiceWorkers()
  const answer = { permission: 'granted' as NotificationPermission }
  const Notification = {
    permission: 'default' as NotificationPermission,
    requestPermission: async () => {
      Notification.permission = answer.permission
      return answer.permission
    },
  }
  const requestPermission = vi.spyOn(Notification, 'requestPermission')
  vi.stubGlobal('navigator', { ...globalThis.navigator, serviceWorker: serviceWorkers })
  vi.stubGlobal('Notification', Notification)
  if (supported) vi.stubGlobal('PushManager', FakePushManager)
  return { serviceWorkers, answer, requestPermission, Notification }
}

/** The server's welcome on the latest socket, with a VAPID key unless `publicKey` is null. */
export function welcome(publicKey: string | null): void {
  const socket = FakeWebSocket.last
  socket.readyState = 1
  socket.onopen?.({})
  socket.receive('connection_established', {
    connectionId: 'c',
    userId: 'alice',
    topics: ['alerts', 'system', 'uploads'],
    filters: {},
    ...(publicKey === null ? {} : { push: { publicKey } }),
  })
}
