import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnectionState } from '../../client/core/connection-state.js'
import { RESUME_OVERLAP_MS } from '../../client/core/resume-cursor.js'
import type { Envelope } from '../../shared/protocol/frames.js'
import { idFrom, idTime } from '../../shared/protocol/ids.js'
import { connected, fakeService } from '../support/fake-service.js'
import { FakeWebSocket } from '../support/fake-websocket.js'

const alert = (title: string) => ({ severity: 'low', title, message: '' })
const startOfMs = (ms: number) => idFrom(ms, new Uint8Array(10))
/**
 * A resume starts RESUME_OVERLAP_MS before the client's cursor, but never before the client's first
 * welcome (client/core/resume-cursor.ts).
 */
const resumeSince = (frames: { frame: Envelope }[], last: string) => {
  const firstWelcome = idTime(frames[0]?.frame.id as string)
  return startOfMs(Math.max(idTime(last) - RESUME_OVERLAP_MS, firstWelcome))
}

/** A client that saw one alert, lost its socket, and was welcomed on a new one (it now resumes). */
async function reconnectedAfterSeeingOne(): Promise<void> {
  const { herald } = fakeService()
  await connected(herald)
  FakeWebSocket.last.receive('alert', alert('seen'))
  FakeWebSocket.last.drop()
  await vi.advanceTimersByTimeAsync(3000)
  FakeWebSocket.last.accept()
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => vi.useRealTimers())

describe('Class: WebSocketService', () => {
  it('connects with the token and stream in the URL and reports its state explicitly', async () => {
    const { herald, states } = fakeService({ stream: 'logs' })

    herald.connect()
    await vi.advanceTimersByTimeAsync(0)
    FakeWebSocket.last.accept({ topics: ['logs'] })

    expect(FakeWebSocket.last.url).toBe('ws://herald.test/?token=t0&stream=logs')
    expect(states).toEqual([ConnectionState.Connecting, ConnectionState.Open])
    expect(herald.isConnected).toBe(true)
  })

  it('queues sends until connection_established, then flushes them in order', async () => {
    const { herald } = fakeService()
    herald.send({ type: 'ping' })
    herald.send({ type: 'resume', since: '01JDQ4Z6T8M2W3X4Y5Z6A7B8C9' })

    herald.connect()
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeWebSocket.last.sent).toEqual([])
    FakeWebSocket.last.accept()

    expect(FakeWebSocket.last.sent).toEqual([
      { type: 'ping' },
      { type: 'resume', since: '01JDQ4Z6T8M2W3X4Y5Z6A7B8C9' },
    ])
  })

  it('reconnects with backoff 3 s, 6 s, 12 s, 15 s… and gives up after maxReconnectAttempts', async () => {
    const { herald, states } = fakeService({ maxReconnectAttempts: 5 })
    await connected(herald)

    const opened: number[] = []
    const start = Date.now()
    for (let i = 0; i < 6; i++) {
      const before = FakeWebSocket.instances.length
      FakeWebSocket.last.drop()
      while (FakeWebSocket.instances.length === before && Date.now() - start < 120_000)
        await vi.advanceTimersByTimeAsync(100)
      if (FakeWebSocket.instances.length > before) opened.push(Date.now())
    }

    const gaps = opened.map((t, i) => t - (i === 0 ? start : (opened[i - 1] as number)))
    expect(gaps).toEqual([3000, 6000, 12000, 15000, 15000])
    expect(herald.state).toBe(ConnectionState.Closed)
    expect(states.at(-1)).toBe(ConnectionState.Closed)
  })

  it('asks getToken for a fresh token before every connection', async () => {
    let n = 0
    const { herald } = fakeService({ token: undefined, getToken: async () => `token-${++n}` })
    await connected(herald)
    FakeWebSocket.last.drop()
    await vi.advanceTimersByTimeAsync(3000)

    expect(FakeWebSocket.instances.map((socket) => new URL(socket.url).searchParams.get('token'))).toEqual([
      'token-1',
      'token-2',
    ])
  })

  it('after a reconnect re-sends subscriptions and filters, then resumes from the last notification', async () => {
    const { herald, frames } = fakeService()
    await connected(herald)
    herald.subscribe(['logs'])
    herald.unsubscribe(['uploads'])
    herald.setFilters({ level: 'error' })
    const lastId = FakeWebSocket.last.receive('alert', alert('one'))
    FakeWebSocket.last.receive('pong', {})

    FakeWebSocket.last.drop()
    await vi.advanceTimersByTimeAsync(3000)
    FakeWebSocket.last.accept()
    const missedId = FakeWebSocket.last.replay('alert', alert('missed'))
    FakeWebSocket.last.receive('alert', alert('live while resuming'))
    FakeWebSocket.last.receive('resumed', { count: 1, more: false })
    FakeWebSocket.last.receive('alert', alert('live again'))

    expect(FakeWebSocket.last.sent).toEqual([
      { type: 'subscribe', topics: ['logs'] },
      { type: 'unsubscribe', topics: ['uploads'] },
      { type: 'set_filters', filters: { level: 'error' } },
      { type: 'resume', since: resumeSince(frames, lastId) },
    ])
    const notifications = frames.filter(({ frame }) => frame.type === 'alert')
    expect(notifications.map(({ source }) => source)).toEqual(['live', 'missed', 'live', 'live'])
    expect(notifications[1]?.frame.id).toBe(missedId)
  })

  it('resumes from before the outage when a live post reaches the new socket ahead of its welcome', async () => {
    const { herald, frames } = fakeService()
    await connected(herald)
    const lastId = FakeWebSocket.last.receive('alert', alert('before'))

    FakeWebSocket.last.drop()
    await vi.advanceTimersByTimeAsync(3000)
    // The socket is open and a notification is posted before connection_established arrives.
    FakeWebSocket.last.receive('alert', alert('ahead of the welcome'))
    FakeWebSocket.last.accept()

    expect(FakeWebSocket.last.sent).toEqual([{ type: 'resume', since: resumeSince(frames, lastId) }])
    expect(frames.filter(({ frame }) => frame.type === 'alert')).toHaveLength(2)
  })

  it('resumes a minute before its last notification, so one recorded late is not skipped', async () => {
    const { herald, frames } = fakeService()
    await connected(herald)
    const twoMinutesLater = startOfMs(idTime(frames[0]?.frame.id as string) + 120_000).replace(/0$/, '1')
    FakeWebSocket.last.receive('alert', alert('two minutes in'), twoMinutesLater)

    FakeWebSocket.last.drop()
    await vi.advanceTimersByTimeAsync(3000)
    FakeWebSocket.last.accept()

    expect(FakeWebSocket.last.sent).toEqual([
      { type: 'resume', since: startOfMs(idTime(twoMinutesLater) - RESUME_OVERLAP_MS) },
    ])
  })

  it('asks again for a resume page that API Gateway answered with Internal server error (a throttled route)', async () => {
    await reconnectedAfterSeeingOne()
    const asked = FakeWebSocket.last.sent.at(-1)
    expect(asked).toMatchObject({ type: 'resume' })

    FakeWebSocket.last.receiveRaw('{"message":"Internal server error","connectionId":"c","requestId":"r"}')
    expect(FakeWebSocket.last.sent).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)

    expect(FakeWebSocket.last.sent).toEqual([asked, asked])
    FakeWebSocket.last.receive('resumed', { count: 0, more: false })
    FakeWebSocket.last.receiveRaw('{"message":"Internal server error","connectionId":"c","requestId":"r"}')
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.last.sent).toHaveLength(2)
  })

  it('keeps resuming while the server says there is more', async () => {
    await reconnectedAfterSeeingOne()

    const pageEnd = FakeWebSocket.last.replay('alert', alert('page 1'))
    FakeWebSocket.last.receive('resumed', { count: 1, more: true })

    expect(FakeWebSocket.last.sent.at(-1)).toEqual({ type: 'resume', since: pageEnd })
  })

  it('asks for the next page where the server says the page ended, whatever arrived live meanwhile', async () => {
    await reconnectedAfterSeeingOne()

    FakeWebSocket.last.replay('alert', alert('page 1'))
    FakeWebSocket.last.receive('alert', alert('live, newer than the unread history'))
    // The page's last notification was dismissed in another tab: the server read it but did not send it.
    const dismissed = FakeWebSocket.nextId()
    FakeWebSocket.last.receive('resumed', { count: 1, more: true, cursor: dismissed })

    expect(FakeWebSocket.last.sent.at(-1)).toEqual({ type: 'resume', since: dismissed })
  })

  it('loads recent history on the first connection when asked, marked as recent', async () => {
    const { herald, frames } = fakeService({ loadRecent: true })
    await connected(herald)
    FakeWebSocket.last.replay('alert', alert('old'))
    FakeWebSocket.last.receive('alert', alert('published while history loads'))
    FakeWebSocket.last.replay('alert', alert('published after the welcome'), FakeWebSocket.nextId())
    FakeWebSocket.last.receive('resumed', { count: 2, more: false })

    expect(FakeWebSocket.last.sent).toEqual([{ type: 'resume' }])
    expect(frames.filter(({ frame }) => frame.type === 'alert').map(({ source }) => source)).toEqual([
      'recent',
      'live',
      'live',
    ])
  })

  it('drops duplicate notifications and frames that fail validation', async () => {
    const { herald, frames } = fakeService()
    await connected(herald)

    const id = FakeWebSocket.last.receive('alert', alert('once'))
    FakeWebSocket.last.receive('alert', alert('once'), id)
    FakeWebSocket.last.receive('alert', { severity: 'apocalyptic', title: 'x', message: '' })
    FakeWebSocket.last.receiveRaw('{"message":"Internal server error"}')
    FakeWebSocket.last.receiveRaw('not json')

    expect(frames.map(({ frame }) => frame.type)).toEqual(['connection_established', 'alert'])
  })

  it('shows each notification once when its copies interleave with another’s (a, b, a, b)', async () => {
    const { herald, frames } = fakeService()
    const socket = await connected(herald)
    const a = FakeWebSocket.nextId()
    const b = FakeWebSocket.nextId()

    socket.receive('alert', alert('a'), a)
    socket.receive('alert', alert('b'), b)
    socket.receive('alert', alert('a'), a)
    socket.receive('alert', alert('b'), b)

    const notifications = frames.filter(({ frame }) => frame.type === 'alert')
    expect(notifications.map(({ frame }) => frame.id)).toEqual([a, b])
  })

  it('keeps a quiet socket open with unanswered keepalives, and never pings it', async () => {
    const { herald } = fakeService()
    const first = await connected(herald)

    await vi.advanceTimersByTimeAsync(3 * 510_000)

    expect(first.sent).toEqual([{ type: 'keepalive' }, { type: 'keepalive' }, { type: 'keepalive' }])
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('checks the socket when the network comes back, and reconnects when the pong never comes', async () => {
    let wake: () => void = () => {}
    const { herald } = fakeService({
      heartbeatTimeoutMs: 5_000,
      wakeSignals: (check) => {
        wake = check
        return () => {}
      },
    })
    const first = await connected(herald)

    wake()
    expect(first.sent).toEqual([{ type: 'ping' }])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(first.closedWith).toEqual({ code: 4000, reason: 'heartbeat timed out' })
    await vi.advanceTimersByTimeAsync(3_000)
    expect(FakeWebSocket.instances).toHaveLength(2)
  })

  it('renews before API Gateway’s 2-hour cut, make before break: the old socket closes once the new is welcomed, and nothing is resumed', async () => {
    const { herald, frames } = fakeService()
    const first = await connected(herald)
    first.receive('alert', alert('before'))

    await vi.advanceTimersByTimeAsync(115 * 60_000 - 1)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(2)
    expect(FakeWebSocket.instances).toHaveLength(2)
    const second = FakeWebSocket.last
    // Both sockets are live meanwhile: a notification on either is shown once.
    const both = first.receive('alert', alert('meanwhile'))
    second.receive('alert', alert('meanwhile'), both)
    expect(first.closedWith).toBeUndefined()
    second.accept()

    expect(first.closedWith?.code).toBe(1000)
    expect(second.sent.filter((frame) => frame.type === 'resume')).toEqual([])
    expect(herald.state).toBe(ConnectionState.Open)
    expect(
      frames
        .filter(({ frame }) => frame.type === 'alert')
        .map(({ frame }) => (frame.data as { title: string }).title),
    ).toEqual(['before', 'meanwhile'])
  })

  it('falls back to reconnecting and resuming when the renewing socket cannot open', async () => {
    const { herald } = fakeService()
    const first = await connected(herald)
    first.receive('alert', alert('seen'))

    await vi.advanceTimersByTimeAsync(115 * 60_000 + 1)
    FakeWebSocket.last.drop()
    await vi.advanceTimersByTimeAsync(0)

    expect(first.closedWith?.code).toBe(4002)
    FakeWebSocket.last.accept()
    expect(FakeWebSocket.last.sent.filter((frame) => frame.type === 'resume')).toHaveLength(1)
  })

  it('stays closed after disconnect()', async () => {
    const { herald, states } = fakeService()
    await connected(herald)

    herald.disconnect()
    await vi.advanceTimersByTimeAsync(60_000)

    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.last.closedWith?.code).toBe(1000)
    expect(states.at(-1)).toBe(ConnectionState.Idle)
  })
})
