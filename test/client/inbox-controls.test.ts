import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Deadline } from '../../client/core/deadline.js'
import { browserTimers } from '../../client/core/heartbeat.js'
import {
  applyFrame,
  EMPTY_INBOX,
  endSnoozes,
  expire,
  type InboxState,
  isRead,
} from '../../client/core/inbox-state.js'
import type { FrameSource } from '../../client/websocket-types.js'
import type { ServerFrame } from '../../shared/protocol/frames.js'

const NOW = Date.parse('2026-11-27T10:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()

// Ids sort by time, as ULIDs do: 'n1' < 'n2' < 'n3'. Frames are stamped NOW unless `at` says.
const frame = (
  type: string,
  id: string,
  data: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({ id, type, data, timestamp: iso(NOW), ...extra }) as ServerFrame
const alert = (id: string, extra: Record<string, unknown> = {}) =>
  frame('alert', id, { severity: 'low', title: id, message: '' }, extra)
const inThread = (id: string, extra: Record<string, unknown> = {}) =>
  alert(id, { thread: { key: 'deploy' }, ...extra })
const welcome = (data: Record<string, unknown>) => frame('connection_established', 'w', data)
const readState = (data: Record<string, unknown>, at = NOW) =>
  frame('read_state', 'r', { read: [], dismissed: [], all: false, ...data }, { timestamp: iso(at) })

const play = (...steps: [ServerFrame, FrameSource?][]): InboxState =>
  steps.reduce((inbox, [each, source = 'live']) => applyFrame(inbox, each, source, NOW), EMPTY_INBOX)

describe('Function: applyFrame, threads', () => {
  it('counts a thread once: a live notification joining an unread thread adds nothing', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [inThread('n1')],
      [inThread('n2')],
      [inThread('n3')],
    )

    expect(inbox.unread).toBe(1)
    expect(inbox.threads.get('deploy')).toBe('n3')
  })

  it('makes a read thread unread again when a live notification joins it', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: 'n1' })],
      [inThread('n1', { replayed: true, read: true }), 'recent'],
      [inThread('n2')],
    )

    expect(inbox.unread).toBe(1)
  })

  it('does not count a thread again when a recount takes in its older notification only', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [inThread('n1')],
      [inThread('n2')],
      [readState({ unread: 1, countedThrough: 'n1' })],
    )

    expect(inbox.unread).toBe(1)
  })
})

describe('Function: applyFrame, snooze', () => {
  const snoozedN1 = { n1: iso(NOW + 60_000) }

  it('takes the snoozes from the welcome and each read_state: those over are back', () => {
    const welcomed = play([welcome({ unread: 0, snoozed: { ...snoozedN1, n0: iso(NOW) } })])
    const later = applyFrame(welcomed, readState({ unread: 0, snoozed: { n2: iso(NOW + 1) } }), 'live', NOW)
    const none = applyFrame(later, readState({ unread: 0 }), 'live', NOW)

    expect([...welcomed.snoozed]).toEqual([['n1', NOW + 60_000]])
    expect([...welcomed.returned]).toEqual(['n0'])
    expect([...later.snoozed]).toEqual([['n2', NOW + 1]])
    expect([...later.returned]).toEqual([])
    expect(none.snoozed.size).toBe(0)
  })

  it('keeps what it knew of snoozes through a welcome whose inbox could not be read', () => {
    const inbox = play([welcome({ unread: 0, snoozed: snoozedN1 })], [welcome({})])

    expect([...inbox.snoozed.keys()]).toEqual(['n1'])
  })

  it('leaves a snoozed live notification out of the count a recount brings', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [alert('n1')],
      [alert('n2')],
      [readState({ unread: 0, countedThrough: '', snoozed: snoozedN1 })],
    )

    expect(inbox.unread).toBe(1)
  })

  it('counts a live notification joining a snoozed thread: its newest is no longer snoozed', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '', snoozed: snoozedN1 })],
      [inThread('n1', { replayed: true }), 'recent'],
      [inThread('n2')],
    )

    expect(inbox.unread).toBe(1)
  })

  it('ends the snoozes that are over, and only those: their entries are back', () => {
    const inbox = play([welcome({ snoozed: { n1: iso(NOW + 10), n2: iso(NOW + 20) } })])

    const ended = endSnoozes(inbox, NOW + 10)
    expect([...ended.snoozed.keys()]).toEqual(['n2'])
    expect([...ended.returned]).toEqual(['n1'])
    expect(endSnoozes(inbox, NOW + 9)).toBe(inbox)
  })

  it('takes a snooze’s return as unread, though read before, until the server ends the snooze', () => {
    const marks = { read: ['n1', 'n2'], all: true, readBefore: 'n3' }
    const asleep = play([
      readState({ unread: 0, ...marks, snoozed: { n1: iso(NOW + 10), n2: iso(NOW + 10) } }),
    ])
    const back = applyFrame(
      endSnoozes(asleep, NOW + 10),
      alert('n1', { replayed: true, snoozed: true }),
      'recent',
    )
    const listedBack = applyFrame(
      back,
      readState({ unread: 2, ...marks, snoozed: { n1: iso(NOW + 10), n2: iso(NOW + 10) } }),
      'live',
      NOW + 10,
    )
    const markedAgain = applyFrame(listedBack, readState({ unread: 0, ...marks }), 'live', NOW + 10)

    expect([isRead(asleep, 'n1'), isRead(asleep, 'n2')]).toEqual([true, true])
    expect([isRead(back, 'n1'), isRead(back, 'n2')]).toEqual([false, false])
    expect([isRead(listedBack, 'n1'), isRead(listedBack, 'n2')]).toEqual([false, false])
    expect([isRead(markedAgain, 'n1'), isRead(markedAgain, 'n2')]).toEqual([true, true])
  })
  it('adds nothing for a snooze’s return: the resumed frame brings its count', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [alert('n1', { replayed: true, snoozed: true })],
      [frame('resumed', 'x', { count: 1, more: false, unread: 1, countedThrough: 'n1' })],
    )

    expect(inbox.unread).toBe(1)
  })
})

describe('Function: expire', () => {
  const expiring = (id: string, at: number, extra: Record<string, unknown> = {}) =>
    alert(id, { expiresAt: iso(at), ...extra })

  it('takes an expired unread notification off the count, and leaves a read one’s alone', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [expiring('n1', NOW + 10)],
      [expiring('n2', NOW + 20, { read: true })],
      [alert('n3')],
    )

    expect(inbox.unread).toBe(2)
    expect(expire(inbox, NOW + 9)).toBe(inbox)
    const expired = expire(inbox, NOW + 20)
    expect(expired.unread).toBe(1)
    expect(expired.expiring.size).toBe(0)
    expect([...expired.pending]).toEqual(['n3'])
  })

  it('takes off a notification the server counted, but not one a later notification of its thread replaced', () => {
    const counted = play(
      [expiring('n1', NOW + 10, { replayed: true }), 'recent'],
      [frame('resumed', 'x', { count: 1, more: false, unread: 1, countedThrough: 'n1' })],
    )
    const replaced = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [inThread('n1', { expiresAt: iso(NOW + 10) })],
      [inThread('n2')],
    )

    expect(expire(counted, NOW + 10).unread).toBe(0)
    expect(expire(replaced, NOW + 10).unread).toBe(1)
  })

  it('leaves nothing to take off for what a count made after its expiry left out', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [expiring('n1', NOW + 10)],
      [readState({ unread: 0, countedThrough: 'n1' }, NOW + 10)],
    )

    expect(inbox.unread).toBe(0)
    expect(expire(inbox, NOW + 10).unread).toBe(0)
  })

  it('takes off the count that follows a replay what expired by this clock before it came', () => {
    const inbox = play(
      [welcome({ unread: 2, countedThrough: 'n2' })],
      [expiring('n1', NOW - 1, { replayed: true }), 'recent'],
      [expiring('n2', NOW - 1, { replayed: true, read: true }), 'recent'],
      [alert('n3', { replayed: true }), 'recent'],
      [frame('resumed', 'x', { count: 3, more: false, unread: 2, countedThrough: 'n3' })],
    )

    expect(inbox.unread).toBe(1)
    expect(inbox.expiredReplays.size).toBe(0)
  })

  it('neither counts nor keeps a notification that expired before it arrived', () => {
    const inbox = play([welcome({ unread: 0, countedThrough: '' })], [expiring('n1', NOW)])

    expect(inbox.unread).toBe(0)
    expect(inbox.expiring.size).toBe(0)
  })
})

describe('Function: applyFrame, preferences', () => {
  it('takes the preferences from the welcome, then from each preferences frame', () => {
    const welcomed = play([welcome({ preferences: { mute: { sources: ['ci'] } } })])
    const changed = applyFrame(
      welcomed,
      frame('preferences', 'p', { minSeverity: { toast: 'high' } }),
      'live',
    )

    expect(welcomed.preferences).toEqual({ mute: { sources: ['ci'] } })
    expect(changed.preferences).toEqual({ minSeverity: { toast: 'high' } })
    expect(play([welcome({})]).preferences).toBeUndefined()
  })
})

describe('Class: Deadline', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW }))
  afterEach(() => vi.useRealTimers())

  it('fires once at the time set, and again when set anew', () => {
    const due = vi.fn()
    const deadline = new Deadline(browserTimers, Date.now, due)

    deadline.set(NOW + 1000)
    deadline.set(NOW + 1000)
    vi.advanceTimersByTime(999)
    expect(due).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(due).toHaveBeenCalledTimes(1)
    deadline.set(NOW + 1000)
    vi.advanceTimersByTime(0)
    expect(due).toHaveBeenCalledTimes(2)
  })

  it('moves to a sooner time, and stops when set to none', () => {
    const due = vi.fn()
    const deadline = new Deadline(browserTimers, Date.now, due)

    deadline.set(NOW + 5000)
    deadline.set(NOW + 1000)
    vi.advanceTimersByTime(1000)
    deadline.set(NOW + 9000)
    deadline.set(undefined)
    vi.advanceTimersByTime(10_000)
    expect(due).toHaveBeenCalledTimes(1)
  })

  it('waits out a time further off than a timer can (30 days), instead of firing at once', () => {
    const due = vi.fn()
    const days = 30 * 24 * 3_600_000
    new Deadline(browserTimers, Date.now, due).set(NOW + days)

    vi.advanceTimersByTime(days - 1)
    expect(due).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(due).toHaveBeenCalledTimes(1)
  })
})
