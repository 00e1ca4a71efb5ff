// @vitest-environment jsdom
import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { HeraldProvider } from '../../client/react/herald-provider.js'
import { LogStream } from '../../client/react/log-stream.js'
import { NotificationCenter } from '../../client/react/notification-center.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { unmountAfterEach } from '../support/react.js'

const settle = () => act(async () => {})
const alert = (title: string, severity = 'high') => ({ severity, title, message: `${title} message` })

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers({ shouldAdvanceTime: true })
})
unmountAfterEach()

async function renderCenter(props: Parameters<typeof NotificationCenter>[0] = {}) {
  render(
    <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
      <NotificationCenter {...props} />
    </HeraldProvider>,
  )
  await settle()
  // As the server does: welcome, then answer the history request the center makes on connect.
  act(() => {
    FakeWebSocket.last.accept()
    FakeWebSocket.last.receive('resumed', { count: 0, more: false })
  })
}

describe('Component: NotificationCenter', () => {
  it('turns the connection dot green once connected', async () => {
    render(
      <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
        <NotificationCenter />
      </HeraldProvider>,
    )
    await settle()
    expect(screen.getByTestId('herald-connection').dataset.state).toBe('connecting')
    act(() => FakeWebSocket.last.accept())
    expect(screen.getByRole('status', { name: 'Connected' }).dataset.state).toBe('open')
  })

  it('shows a toast for a live alert, styled by severity, and hides it after autoHideDuration', async () => {
    await renderCenter({ autoHideDuration: 5000 })

    act(() => void FakeWebSocket.last.receive('alert', alert('Disk full', 'critical')))

    const toast = screen.getByRole('alert')
    expect(toast).toHaveProperty('textContent', expect.stringContaining('Disk full'))
    expect(toast.style.borderLeftColor).toBe('rgb(153, 27, 27)')
    act(() => vi.advanceTimersByTime(4999))
    expect(screen.queryByRole('alert')).not.toBeNull()
    act(() => vi.advanceTimersByTime(1))
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('keeps at most maxToasts, the newest', async () => {
    await renderCenter({ maxToasts: 3 })

    act(() => {
      for (const title of ['a', 'b', 'c', 'd']) FakeWebSocket.last.receive('alert', alert(title, 'low'))
    })

    expect(screen.getAllByTestId('herald-toast').map((t) => t.textContent?.slice(0, 1))).toEqual([
      'b',
      'c',
      'd',
    ])
  })

  it('lets a toast be dismissed with its button, a native one that keyboards reach too', async () => {
    await renderCenter()
    act(() => void FakeWebSocket.last.receive('alert', alert('bye', 'low')))

    const dismiss = screen.getByRole('button', { name: 'Dismiss notification' })
    expect(dismiss.tagName).toBe('BUTTON')
    expect(dismiss.tabIndex).toBeGreaterThanOrEqual(0)
    fireEvent.click(dismiss)

    expect(screen.queryAllByTestId('herald-toast')).toEqual([])
  })

  it('shows the server’s unread count, lists recent history without toasting it, and reads what it shows', async () => {
    render(
      <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
        <NotificationCenter />
      </HeraldProvider>,
    )
    await settle()
    let ids: string[] = []
    act(() => {
      FakeWebSocket.last.accept()
      const history = FakeWebSocket.last.replay('alert', alert('from history', 'low'))
      FakeWebSocket.last.receive('resumed', { count: 1, more: false, unread: 1 })
      const upload = FakeWebSocket.last.receive('upload_status', {
        upload_id: 'u',
        status: 'processing',
        progress: 40,
        filename: 'q3.csv',
      })
      const maintenance = FakeWebSocket.last.receive('system', alert('maintenance', 'medium'))
      ids = [maintenance, upload, history]
    })

    expect(screen.getAllByTestId('herald-toast')).toHaveLength(2)
    const bell = screen.getByRole('button', { name: 'Notifications, 3 unread' })
    fireEvent.click(bell)

    const panel = screen.getByRole('dialog', { name: 'Recent notifications' })
    expect(
      within(panel)
        .getAllByRole('listitem')
        .map((item) => item.querySelector('strong')?.textContent),
    ).toEqual(['maintenance', 'q3.csv: processing', 'from history'])
    expect(bell.getAttribute('aria-expanded')).toBe('true')
    expect(FakeWebSocket.last.sent.at(-1)).toEqual({ type: 'mark_read', ids })
    act(() => {
      FakeWebSocket.last.receive('read_state', { unread: 0, read: ids, dismissed: [], all: false })
    })
    expect(screen.getByRole('button', { name: 'Notifications, 0 unread' })).toBe(bell)
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('shows upload progress as a progress bar', async () => {
    await renderCenter()
    act(
      () =>
        void FakeWebSocket.last.receive('upload_status', {
          upload_id: 'u',
          status: 'processing',
          progress: 40,
          filename: 'q3.csv',
        }),
    )
    expect(
      screen.getByRole('progressbar', { name: 'q3.csv: processing progress' }).getAttribute('value'),
    ).toBe('40')
  })

  it('shows one upload as one toast and one entry, updated in place to completed, counted once', async () => {
    await renderCenter()
    act(() => {
      for (const [status, progress] of [
        ['processing', 0],
        ['processing', 35],
        ['processing', 70],
        ['completed', 100],
      ] as const)
        FakeWebSocket.last.receive('upload_status', { upload_id: 'u', status, progress, filename: 'q3.csv' })
    })

    expect(
      screen.getAllByTestId('herald-toast').map((toast) => toast.querySelector('strong')?.textContent),
    ).toEqual(['q3.csv: completed'])
    fireEvent.click(screen.getByRole('button', { name: 'Notifications, 1 unread' }))
    expect(
      screen.getAllByTestId('herald-item').map((item) => item.querySelector('strong')?.textContent),
    ).toEqual(['q3.csv: completed'])
  })

  it('dismisses an entry everywhere with × (its toast goes too), and marks all read with its button', async () => {
    await renderCenter()
    let id = ''
    act(() => {
      id = FakeWebSocket.last.receive('alert', alert('disk full'))
    })
    fireEvent.click(screen.getByRole('button', { name: /^Notifications/ }))

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss disk full everywhere' }))
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }))
    act(() => {
      FakeWebSocket.last.receive('read_state', {
        unread: 0,
        read: [],
        dismissed: [id],
        all: true,
        readBefore: id,
      })
    })

    expect(FakeWebSocket.last.sent.slice(-2)).toEqual([
      { type: 'dismiss', ids: [id] },
      { type: 'mark_read', all: true },
    ])
    expect(screen.queryAllByTestId('herald-item')).toEqual([])
    expect(screen.queryAllByTestId('herald-toast')).toEqual([])
  })
})

describe('Component: LogStream', () => {
  async function renderLogs(props: Parameters<typeof LogStream>[0] = {}) {
    render(
      <HeraldProvider url="ws://herald.test" token="t" WebSocket={FakeWebSocket}>
        <LogStream {...props} />
      </HeraldProvider>,
    )
    await settle()
    act(() => FakeWebSocket.last.accept({ topics: ['logs'] }))
  }
  const rows = () => screen.queryAllByTestId('herald-log').map((row) => row.dataset.level)

  it('sends the chosen filters to the server, leaving empty fields unset', async () => {
    await renderLogs()

    fireEvent.change(screen.getByLabelText('Level'), { target: { value: 'error' } })
    fireEvent.change(screen.getByLabelText('Environment'), { target: { value: ' prod ' } })
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }))

    expect(FakeWebSocket.last.sent).toEqual([
      { type: 'set_filters', filters: { level: 'error', environment: 'prod' } },
    ])
  })

  it('shows logs coloured by level, at most maxLogs of them', async () => {
    await renderLogs({ maxLogs: 2 })
    act(() => {
      for (const level of ['info', 'warning', 'error'])
        FakeWebSocket.last.receive('log_event', { level, message: level })
    })
    expect(rows()).toEqual(['warning', 'error'])
    expect(screen.getByRole('log', { name: 'Log events' })).toBeTruthy()
  })

  it('pauses and resumes, and clears', async () => {
    await renderLogs()
    act(() => void FakeWebSocket.last.receive('log_event', { level: 'info', message: 'before' }))

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }))
    act(() => void FakeWebSocket.last.receive('log_event', { level: 'error', message: 'during' }))
    expect(rows()).toEqual(['info'])
    expect(screen.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true')

    fireEvent.click(screen.getByRole('button', { name: 'Resume' }))
    expect(rows()).toEqual(['info', 'error'])
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }))
    expect(rows()).toEqual([])
  })

  it('hides the filters when showFilters is false', async () => {
    await renderLogs({ showFilters: false })
    expect(screen.queryByRole('form', { name: 'Log filters' })).toBeNull()
  })
})
