// @vitest-environment jsdom
import { act, fireEvent, render, renderHook, screen, within } from '@testing-library/react'
import type { ReactNode } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { HeraldProvider } from '../../client/react/herald-provider.js'
import { NotificationCenter } from '../../client/react/notification-center.js'
import { tomorrowMorning } from '../../client/react/snooze-menu.js'
import { useNotifications } from '../../client/react/use-notifications.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { unmountAfterEach } from '../support/react.js'

const NOW = new Date(2026, 10, 27, 15, 30)
const settle = () => act(async () => {})
const alert = (title: string, severity = 'high') => ({ severity, title, message: `${title} message` })
const iso = (ms: number) => new Date(ms).toISOString()

/** A frame with any envelope field, received inside `act` as React wants. */
function receive(frame: Parameters<FakeWebSocket['receiveFrame']>[0]): string {
  let id = ''
  act(() => {
    id = FakeWebSocket.last.receiveFrame(frame)
  })
  return id
}
/**
 * The server's welcome, with `data` added, and its answer to the history request made on connect:
 * `history`'s replays (ids made before the welcome), then `resumed`.
 */
function welcome(
  data: Record<string, unknown> = {},
  history: () => void = () => {},
  resumed: Record<string, unknown> = {},
): void {
  act(() => {
    FakeWebSocket.last.readyState = 1
    FakeWebSocket.last.onopen?.({})
    FakeWebSocket.last.receive('connection_established', {
      connectionId: 'c',
      userId: 'alice',
      topics: ['alerts', 'system', 'uploads'],
      filters: {},
      unread: 0,
      countedThrough: '',
      ...data,
    })
  })
  history()
  receive({ type: 'resumed', data: { count: 0, more: false, ...resumed } })
}

const wrapper = ({ children }: { children?: ReactNode }) => (
  <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
    {children}
  </HeraldProvider>
)
async function renderInbox() {
  const hook = renderHook(() => useNotifications(), { wrapper })
  await settle()
  return hook
}
async function renderCenter(data: Record<string, unknown> = {}) {
  render(
    <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
      <NotificationCenter autoHideDuration={60_000} />
    </HeraldProvider>,
  )
  await settle()
  welcome(data)
}
const titles = (list: { data: unknown }[]) => list.map((each) => (each.data as { title: string }).title)

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers({ now: NOW, shouldAdvanceTime: true })
})
unmountAfterEach()

describe('Hook: useNotifications, preferences', () => {
  it('holds the preferences the welcome and each preferences frame bring, and sends the new ones', async () => {
    const { result } = await renderInbox()
    welcome({ preferences: { mute: { sources: ['ci'] } } })
    expect(result.current.preferences).toEqual({ mute: { sources: ['ci'] } })

    act(() => result.current.setPreferences({ minSeverity: { toast: 'high' } }))
    expect(FakeWebSocket.last.sent.at(-1)).toEqual({
      type: 'set_preferences',
      preferences: { minSeverity: { toast: 'high' } },
    })
    receive({ type: 'preferences', data: { minSeverity: { toast: 'high' } } })

    expect(result.current.preferences).toEqual({ minSeverity: { toast: 'high' } })
  })

  it.each([
    ['invalid_preferences', 'preferencesError', 'snoozeError'],
    ['invalid_snooze', 'snoozeError', 'preferencesError'],
  ] as const)(
    'surfaces an error %s as %s, changing nothing, until the next request',
    async (code, field, other) => {
      const { result } = await renderInbox()
      welcome({ preferences: { mute: { sources: ['ci'] } } })

      receive({ type: 'error', data: { code, message: 'invalid: no' } })

      expect(result.current[field]).toBe('invalid: no')
      expect(result.current[other]).toBeUndefined()
      expect(result.current.preferences).toEqual({ mute: { sources: ['ci'] } })
      act(() =>
        field === 'preferencesError' ? result.current.setPreferences({}) : result.current.snooze(['x'], NOW),
      )
      expect(result.current[field]).toBeUndefined()
    },
  )
})

describe('Hook: useNotifications, threads, snooze and expiry', () => {
  it('lists a thread as one entry with its count, and counts it unread once', async () => {
    const { result } = await renderInbox()
    const older = FakeWebSocket.nextId()
    welcome(
      {},
      () =>
        receive({
          id: older,
          type: 'alert',
          data: alert('deploy 1'),
          replayed: true,
          thread: { key: 'd', count: 2 },
        }),
      { count: 1, unread: 1, countedThrough: older },
    )

    receive({ type: 'alert', data: alert('deploy 2'), thread: { key: 'd' } })
    receive({ type: 'alert', data: alert('other') })

    expect(titles(result.current.notifications)).toEqual(['other', 'deploy 2'])
    expect(result.current.notifications[1]?.thread).toEqual({ key: 'd', count: 3 })
    expect(result.current.unreadCount).toBe(2)
  })

  it('hides a snoozed entry from the list and the count until the snooze ends, then lists its return', async () => {
    const { result } = await renderInbox()
    welcome()
    const id = receive({ type: 'alert', data: alert('later') })
    expect(result.current.unreadCount).toBe(1)

    act(() => result.current.snooze([id], new Date(Date.now() + 60_000)))
    expect(FakeWebSocket.last.sent.at(-1)).toEqual({
      type: 'snooze',
      ids: [id],
      until: iso(Date.now() + 60_000),
    })
    receive({
      type: 'read_state',
      data: {
        unread: 0,
        read: [],
        dismissed: [],
        all: false,
        countedThrough: id,
        snoozed: { [id]: iso(Date.now() + 60_000) },
      },
    })
    expect(result.current.notifications).toEqual([])
    expect(result.current.unreadCount).toBe(0)

    await act(() => vi.advanceTimersByTimeAsync(60_000))
    expect(FakeWebSocket.last.sent.at(-1)).toEqual({ type: 'resume' })
    receive({ id, type: 'alert', data: alert('later'), replayed: true, snoozed: true })
    receive({ type: 'resumed', data: { count: 1, more: false, unread: 1, countedThrough: id } })

    expect(titles(result.current.notifications)).toEqual(['later'])
    expect(result.current.unreadCount).toBe(1)
    expect(result.current.isRead(id)).toBe(false)
  })

  it('drops an entry from the list when it expires, and does not list one that expired already', async () => {
    const { result } = await renderInbox()
    welcome()
    receive({ type: 'alert', data: alert('brief'), expiresAt: iso(Date.now() + 2000) })
    receive({ type: 'alert', data: alert('gone'), expiresAt: iso(Date.now() - 1) })
    receive({ type: 'alert', data: alert('stays') })
    expect(titles(result.current.notifications)).toEqual(['stays', 'brief'])
    expect(result.current.unreadCount).toBe(2)

    await act(() => vi.advanceTimersByTimeAsync(2000))

    expect(titles(result.current.notifications)).toEqual(['stays'])
    expect(result.current.unreadCount).toBe(1)
  })
})

describe('Component: NotificationCenter, inbox controls', () => {
  const toastTitles = () =>
    screen.queryAllByTestId('herald-toast').map((toast) => toast.querySelector('strong')?.textContent)

  it('toasts only alerts at or above minSeverity.toast; other notifications as before', async () => {
    await renderCenter({ preferences: { minSeverity: { toast: 'high' } } })

    receive({ type: 'alert', data: alert('low one', 'low') })
    receive({ type: 'alert', data: alert('critical one', 'critical') })
    receive({ type: 'system', data: alert('maintenance', 'low') })

    expect(toastTitles()).toEqual(['critical one', 'maintenance'])
    receive({ type: 'preferences', data: {} })
    receive({ type: 'alert', data: alert('low two', 'low') })
    expect(toastTitles()).toEqual(['critical one', 'maintenance', 'low two'])
  })

  it('shows a thread’s count on its entry and one toast for it', async () => {
    await renderCenter()
    for (const n of [1, 2, 3])
      receive({ type: 'alert', data: alert(`deploy ${n}`), thread: { key: 'deploy' } })

    expect(toastTitles()).toEqual(['deploy 3'])
    fireEvent.click(screen.getByRole('button', { name: 'Notifications, 1 unread' }))
    const item = screen.getByTestId('herald-item')
    const count = within(item).getByTestId('herald-thread-count')
    expect(within(count).getByText('×3').getAttribute('aria-hidden')).toBe('true')
    expect(within(count).getByText('3 notifications')).toBeTruthy()
  })

  it.each([
    ['for 1 hour', new Date(NOW.getTime() + 3_600_000)],
    ['until tomorrow 9:00', new Date(2026, 10, 28, 9, 0)],
  ])('snoozes an entry %s from its menu', async (name, until) => {
    await renderCenter()
    const id = receive({ type: 'alert', data: alert('disk full') })
    fireEvent.click(screen.getByRole('button', { name: /^Notifications/ }))

    const menu = screen.getByRole('button', { name: 'Snooze disk full' })
    expect(menu.getAttribute('aria-expanded')).toBe('false')
    fireEvent.click(menu)
    expect(menu.getAttribute('aria-expanded')).toBe('true')
    vi.setSystemTime(NOW)
    fireEvent.click(screen.getByRole('button', { name: `Snooze disk full ${name}` }))

    expect(FakeWebSocket.last.sent.at(-1)).toEqual({ type: 'snooze', ids: [id], until: until.toISOString() })
    expect(screen.queryByRole('group', { name: 'Snooze disk full' })).toBeNull()
    expect(toastTitles()).toEqual(['disk full'])
    receive({
      type: 'read_state',
      data: { unread: 0, read: [], dismissed: [], all: false, snoozed: { [id]: until.toISOString() } },
    })
    expect(screen.queryAllByTestId('herald-item')).toEqual([])
    expect(toastTitles()).toEqual([])
  })
})

describe('Function: tomorrowMorning', () => {
  it('is 9:00 the next day in local time, across a month’s end', () => {
    expect(tomorrowMorning(new Date(2026, 10, 30, 23, 59))).toEqual(new Date(2026, 11, 1, 9, 0))
    expect(tomorrowMorning(new Date(2026, 11, 31, 0, 1))).toEqual(new Date(2027, 0, 1, 9, 0))
  })
})
