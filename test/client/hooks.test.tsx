// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { HeraldProvider } from '../../client/react/herald-provider.js'
import { useLogStream } from '../../client/react/use-log-stream.js'
import { useNotifications } from '../../client/react/use-notifications.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { unmountAfterEach } from '../support/react.js'

const wrapper = ({ children }: { children?: ReactNode }) => (
  <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
    {children}
  </HeraldProvider>
)

/** Lets the service's asynchronous connect run. */
const settle = () => act(async () => {})

beforeEach(() => FakeWebSocket.reset())
unmountAfterEach()

describe('Hook: useNotifications', () => {
  it('connects, loads recent history, then adds live notifications newest first', async () => {
    const heard: string[] = []
    const { result } = renderHook(
      () => useNotifications((n, source) => heard.push(`${source}:${(n.data as { title: string }).title}`)),
      { wrapper },
    )
    await settle()
    expect(result.current.isConnected).toBe(false)

    act(() => FakeWebSocket.last.accept())
    expect(result.current.isConnected).toBe(true)
    expect(FakeWebSocket.last.sent).toEqual([{ type: 'resume' }])

    act(() => {
      FakeWebSocket.last.replay('alert', { severity: 'low', title: 'old', message: '' })
      FakeWebSocket.last.receive('resumed', { count: 1, more: false })
      FakeWebSocket.last.receive('system', { severity: 'low', title: 'new', message: '' })
      FakeWebSocket.last.receive('pong', {})
    })

    expect(result.current.notifications.map((n) => (n.data as { title: string }).title)).toEqual([
      'new',
      'old',
    ])
    expect(heard).toEqual(['recent:old', 'live:new'])
  })

  it('clears the list and subscribes to more topics', async () => {
    const { result } = renderHook(() => useNotifications(), { wrapper })
    await settle()
    act(() => FakeWebSocket.last.accept())
    act(() => void FakeWebSocket.last.receive('alert', { severity: 'low', title: 'x', message: '' }))

    act(() => result.current.clearNotifications())
    act(() => result.current.subscribe(['logs']))

    expect(result.current.notifications).toEqual([])
    expect(FakeWebSocket.last.sent.at(-1)).toEqual({ type: 'subscribe', topics: ['logs'] })
  })

  it('shares one socket between components, and closes it when the last one unmounts', async () => {
    vi.useFakeTimers()
    const first = renderHook(() => useNotifications(), { wrapper })
    const second = renderHook(() => useNotifications(), { wrapper })
    const logs = renderHook(() => useLogStream(), { wrapper })
    await settle()

    expect(FakeWebSocket.instances.map((socket) => socket.url)).toEqual([
      'ws://herald.test/?token=t',
      'ws://herald.test/?token=t&stream=logs',
    ])

    first.unmount()
    act(() => vi.runOnlyPendingTimers())
    expect(FakeWebSocket.instances[0]?.closedWith).toBeUndefined()
    second.unmount()
    logs.unmount()
    act(() => vi.runOnlyPendingTimers())
    expect(FakeWebSocket.instances.map((socket) => socket.closedWith?.code)).toEqual([1000, 1000])
  })
})

describe('Hook: useLogStream', () => {
  it('appends log events and sends filters to the server', async () => {
    const heard: string[] = []
    const { result } = renderHook(() => useLogStream((log) => heard.push(log.data.message)), { wrapper })
    await settle()
    act(() => FakeWebSocket.last.accept({ topics: ['logs'] }))

    act(() => {
      FakeWebSocket.last.receive('log_event', { level: 'info', message: 'one' })
      FakeWebSocket.last.receive('log_event', { level: 'error', message: 'two' })
    })
    act(() => result.current.setFilters({ level: 'error' }))

    expect(result.current.logs.map((log) => log.data.message)).toEqual(['one', 'two'])
    expect(heard).toEqual(['one', 'two'])
    expect(FakeWebSocket.last.sent).toEqual([{ type: 'set_filters', filters: { level: 'error' } }])
    act(() => result.current.clearLogs())
    expect(result.current.logs).toEqual([])
  })
})
