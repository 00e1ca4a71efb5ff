import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connected, fakeService } from '../support/fake-service.js'
import { FakeWebSocket } from '../support/fake-websocket.js'

const alert = (title: string) => ({ severity: 'low', title, message: '' })
const iso = (ms: number) => new Date(ms).toISOString()

const readState = (data: Record<string, unknown>) => ({
  type: 'read_state',
  data: { unread: 0, read: [], dismissed: [], all: false, ...data },
})

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => vi.useRealTimers())

describe('Class: WebSocketService, inbox controls', () => {
  it('sends snoozes of at most 100 ids a frame, with `until` in ISO-8601, and preferences as given', async () => {
    const { herald } = fakeService()
    const socket = await connected(herald)
    const ids = Array.from({ length: 101 }, () => FakeWebSocket.nextId())
    const until = new Date(Date.now() + 3_600_000)

    herald.snooze(ids, until)
    herald.setPreferences({ mute: { sources: ['ci'] } })

    expect(socket.sent).toEqual([
      { type: 'snooze', ids: ids.slice(0, 100), until: until.toISOString() },
      { type: 'snooze', ids: ids.slice(100), until: until.toISOString() },
      { type: 'set_preferences', preferences: { mute: { sources: ['ci'] } } },
    ])
  })

  it('keeps one timer for the earliest snooze, asks the recent page when it ends, and lists the entry again', async () => {
    const { herald, frames } = fakeService()
    const socket = await connected(herald)
    const id = socket.receive('alert', alert('later'))
    const timers = vi.getTimerCount()

    socket.receiveFrame(
      readState({ snoozed: { [id]: iso(Date.now() + 5000), other: iso(Date.now() + 9000) } }),
    )
    expect(vi.getTimerCount()).toBe(timers + 1)
    await vi.advanceTimersByTimeAsync(4999)
    expect(socket.sent).toEqual([])
    await vi.advanceTimersByTimeAsync(1)

    expect(socket.sent).toEqual([{ type: 'resume' }])
    expect([...herald.inbox.snoozed.keys()]).toEqual(['other'])
    socket.receiveFrame({ id, type: 'alert', data: alert('later'), replayed: true, snoozed: true })
    socket.receiveFrame({ type: 'resumed', data: { count: 1, more: false, unread: 1, countedThrough: id } })
    expect(frames.filter(({ frame }) => frame.id === id).map(({ source }) => source)).toEqual([
      'live',
      'recent',
    ])
    expect(herald.inbox.unread).toBe(1)
    expect(vi.getTimerCount()).toBe(timers + 1)
  })

  it('asks the recent page for an ended snooze only once a resume in progress is in', async () => {
    const { herald } = fakeService()
    let socket = await connected(herald)
    const id = socket.receive('alert', alert('seen'))
    socket.receiveFrame(readState({ snoozed: { [id]: iso(Date.now() + 5000) } }))
    socket.drop()
    await vi.advanceTimersByTimeAsync(3000)
    socket = FakeWebSocket.last
    socket.accept()
    const resume = socket.sent.at(-1)
    expect(resume).toMatchObject({ type: 'resume', since: expect.any(String) })

    await vi.advanceTimersByTimeAsync(2000)
    expect(socket.sent).toEqual([resume])
    socket.receive('resumed', { count: 0, more: false })

    expect(socket.sent).toEqual([resume, { type: 'resume' }])
  })

  it('asks the recent page for a snooze that ended while the socket was down, after its resume', async () => {
    const { herald } = fakeService()
    let socket = await connected(herald)
    const id = socket.receive('alert', alert('seen'))
    socket.receiveFrame(readState({ snoozed: { [id]: iso(Date.now() + 1000) } }))
    socket.drop()
    await vi.advanceTimersByTimeAsync(1000)
    await vi.advanceTimersByTimeAsync(2000)
    socket = FakeWebSocket.last
    socket.accept()
    socket.receive('resumed', { count: 0, more: false })

    expect(socket.sent).toEqual([{ type: 'resume', since: expect.any(String) }, { type: 'resume' }])
  })

  it('asks again for the recent page when API Gateway could not answer it', async () => {
    const { herald } = fakeService()
    const socket = await connected(herald)
    socket.receiveFrame(readState({ snoozed: { n1: iso(Date.now() + 1000) } }))
    await vi.advanceTimersByTimeAsync(1000)

    socket.receiveRaw('{"message":"Internal server error","connectionId":"c","requestId":"r"}')
    await vi.advanceTimersByTimeAsync(1000)

    expect(socket.sent).toEqual([{ type: 'resume' }, { type: 'resume' }])
  })

  it('drops an expired notification when its time comes: the inbox changes and its count goes', async () => {
    const { herald, inboxes } = fakeService()
    const socket = await connected(herald)
    socket.receiveFrame({ type: 'resumed', data: { count: 0, more: false, unread: 0, countedThrough: '' } })
    socket.receiveFrame({ type: 'alert', data: alert('brief'), expiresAt: iso(Date.now() + 2000) })
    expect(herald.inbox.unread).toBe(1)
    const changes = inboxes.length

    await vi.advanceTimersByTimeAsync(2000)

    expect(inboxes.length).toBe(changes + 1)
    expect(inboxes.at(-1)?.unread).toBe(0)
    expect(herald.inbox.expiring.size).toBe(0)
  })

  it('stops its inbox timers on disconnect', async () => {
    const { herald } = fakeService()
    const socket = await connected(herald)
    socket.receiveFrame(readState({ snoozed: { n1: iso(Date.now() + 5000) } }))

    herald.disconnect()

    expect(vi.getTimerCount()).toBe(0)
  })
})
