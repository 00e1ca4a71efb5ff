// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { vapidKeyBytes } from '../../client/core/vapid-key.js'
import { HeraldProvider } from '../../client/react/herald-provider.js'
import { usePush } from '../../client/react/use-push.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { unmountAfterEach } from '../support/react.js'
import {
  ENDPOINT,
  type FakePushBrowser,
  fakePushBrowser,
  PUBLIC_KEY,
  SW,
  welcome,
} from './fake-push-browser.js'

let browser: FakePushBrowser

const wrapper = ({ children }: { children?: ReactNode }) => (
  <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket} reconnectDelay={10}>
    {children}
  </HeraldProvider>
)

/** Renders the hook and lets its socket open, not yet welcomed. */
async function rendered() {
  const hook = renderHook(() => usePush({ serviceWorkerUrl: SW }), { wrapper })
  await act(async () => {})
  return hook
}
const welcomed = (publicKey: string | null = PUBLIC_KEY) => act(async () => welcome(publicKey))
const pushFrames = () => FakeWebSocket.last.sent.filter((frame) => String(frame.type).startsWith('push_'))
/** Waits until the socket has sent a push frame of `type`, then answers it. */
async function answer(type: 'push_subscribe' | 'push_unsubscribe', reply: string, data = {}): Promise<void> {
  await vi.waitFor(() => expect(FakeWebSocket.last.types()).toContain(type))
  await act(async () => void FakeWebSocket.last.receive(reply, data))
}

beforeEach(() => {
  FakeWebSocket.reset()
  browser = fakePushBrowser()
})
afterEach(() => vi.unstubAllGlobals())
unmountAfterEach()

describe('Hook: usePush', () => {
  it('is available once welcomed with a VAPID key, and not from a server without Web Push', async () => {
    const { result } = await rendered()
    expect(result.current).toMatchObject({ supported: true, available: false, permission: 'default' })

    await welcomed()
    expect(result.current.available).toBe(true)

    await act(async () => FakeWebSocket.last.drop())
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2))
    await welcomed(null)
    expect(result.current.available).toBe(false)
  })

  it('turns push on: busy meanwhile, then permission granted and subscribed once Herald answers', async () => {
    // Prepare
    const { result } = await rendered()
    await welcomed()

    // Act
    let enabling: Promise<void> = Promise.resolve()
    act(() => {
      enabling = result.current.enable()
    })
    expect(result.current.busy).toBe(true)
    await answer('push_subscribe', 'push_subscribed')
    await act(() => enabling)

    // Assess
    expect(result.current).toMatchObject({
      busy: false,
      permission: 'granted',
      subscribed: true,
      error: undefined,
    })
    expect(pushFrames()).toMatchObject([{ type: 'push_subscribe', subscription: { endpoint: ENDPOINT } }])
  })

  it('shows why enabling failed, by its code, and clears it when the next try succeeds', async () => {
    const { result } = await rendered()
    await welcomed()
    browser.answer.permission = 'default'

    await act(() => result.current.enable())
    expect(result.current.error).toMatchObject({ code: 'permission_dismissed' })
    expect(result.current).toMatchObject({ subscribed: false, permission: 'default' })

    browser.answer.permission = 'granted'
    let enabling: Promise<void> = Promise.resolve()
    act(() => {
      enabling = result.current.enable()
    })
    expect(result.current.error).toBeUndefined()
    await answer('push_subscribe', 'push_subscribed')
    await act(() => enabling)
    expect(result.current.subscribed).toBe(true)
  })

  it('reports unsupported where the browser has no Push API', async () => {
    vi.unstubAllGlobals()
    fakePushBrowser({ supported: false })
    const { result } = await rendered()
    await welcomed()

    await act(() => result.current.enable())

    expect(result.current).toMatchObject({ supported: false, permission: undefined, subscribed: false })
    expect(result.current.error?.code).toBe('unsupported')
  })

  it('sends a subscription the browser already holds once welcomed, which renews it, and not again after a reconnect', async () => {
    // Prepare
    await browser.serviceWorkers.register(SW)
    browser.serviceWorkers.pushManagerOf(SW).hold(ENDPOINT, vapidKeyBytes(PUBLIC_KEY))
    browser.Notification.permission = 'granted'
    const { result } = await rendered()

    // Act
    await welcomed()
    await answer('push_subscribe', 'push_subscribed')
    await vi.waitFor(() => expect(result.current.busy).toBe(false))
    await act(async () => FakeWebSocket.last.drop())
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2))
    await welcomed()
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)))

    // Assess
    expect(result.current.subscribed).toBe(true)
    expect(browser.requestPermission).not.toHaveBeenCalled()
    expect(
      FakeWebSocket.instances.map((socket) => socket.types().filter((type) => type === 'push_subscribe')),
    ).toEqual([['push_subscribe'], []])
  })

  it('turns push off: the subscription is cancelled and Herald told', async () => {
    await browser.serviceWorkers.register(SW)
    const held = browser.serviceWorkers.pushManagerOf(SW).hold(ENDPOINT, vapidKeyBytes(PUBLIC_KEY))
    const { result } = await rendered()
    await welcomed()
    await vi.waitFor(() => expect(result.current.subscribed).toBe(true))

    let disabling: Promise<void> = Promise.resolve()
    act(() => {
      disabling = result.current.disable()
    })
    await answer('push_unsubscribe', 'push_unsubscribed')
    await act(() => disabling)

    expect(result.current).toMatchObject({ subscribed: false, busy: false, error: undefined })
    expect(held.unsubscribed).toBe(true)
  })
})
