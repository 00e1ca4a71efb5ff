import { describe, expect, it } from 'vitest'
import { countUnread, type InboxLens, inboxView, readStateOf } from '../../shared/inbox/inbox-view.js'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import { newId } from '../../shared/protocol/ids.js'
import type { Header } from '../../shared/store/history-store.js'
import type { InboxState } from '../../shared/store/inbox-store.js'

const start = Date.parse('2026-11-27T10:00:00Z')
const ids = Array.from({ length: 6 }, (_, i) => newId(start + i * 1000))
const NOW = start + 60_000
const lens = (partial: Partial<InboxState> = {}, more: Partial<InboxLens> = {}): InboxLens => ({
  state: { read: new Set(), dismissed: new Set(), snoozed: new Map(), ...partial },
  now: NOW,
  ...more,
})
const upload = (id: string, status: 'processing' | 'completed') =>
  ({
    id,
    type: 'upload_status',
    data: { upload_id: 'u1', filename: 'f', status, progress: status === 'completed' ? 100 : 50 },
    timestamp: '2026-11-27T10:00:00.000Z',
  }) as NotificationEnvelope
const alert = (id: string, extra: { thread?: string; source?: string } = {}) =>
  ({
    id,
    type: 'alert',
    data: { severity: 'low', title: id, message: '', ...(extra.source ? { source: extra.source } : {}) },
    timestamp: '2026-11-27T10:00:00.000Z',
    ...(extra.thread ? { thread: { key: extra.thread } } : {}),
  }) as NotificationEnvelope
const header = (id: string | undefined, extra: Partial<Header> = {}): Header => ({
  id: id as string,
  topic: 'alerts',
  ...extra,
})

describe('Inbox view', () => {
  it('counts what is neither read (one by one or under the marker) nor dismissed, a thread once', () => {
    const newestFirst = [
      header(ids[5], { topic: 'uploads', thread: 'upload:u1' }),
      header(ids[4]),
      header(ids[3], { topic: 'uploads', thread: 'upload:u1' }),
      header(ids[2]),
      header(ids[1]),
      header(ids[0]),
    ]
    const marks = lens({
      readBefore: ids[1],
      read: new Set([ids[2] as string]),
      dismissed: new Set([ids[4] as string]),
    })

    // ids[5] (the upload's latest) and ids[1] are unread; ids[0] is under the marker.
    expect(countUnread(newestFirst, marks)).toEqual({ unread: 2, countedThrough: ids[5] })
    expect(countUnread([], marks)).toEqual({ unread: 0, countedThrough: '' })
  })

  it('stops counting at 999 and says it is capped', () => {
    const many = Array.from({ length: 1_500 }, (_, i) => header(`${1_500 - i}`.padStart(26, '0')))
    const countedThrough = many[0]?.id
    expect(countUnread(many, lens())).toEqual({ unread: 999, unreadCapped: true, countedThrough })
    expect(countUnread(many.slice(0, 999), lens())).toEqual({ unread: 999, countedThrough })
  })

  it('leaves out of the count what the preferences mute, but never a system notice', () => {
    const newestFirst = [
      header(ids[3], { source: 'disk-monitor', severity: 'critical' }),
      header(ids[2], { severity: 'low' }),
      header(ids[1], { topic: 'uploads', thread: 'upload:u9' }),
      header(ids[0], { topic: 'system', source: 'disk-monitor' }),
    ]
    const muting = lens(
      {},
      {
        preferences: {
          mute: { sources: ['disk-monitor'], topics: ['uploads'] },
          minSeverity: { inbox: 'medium' },
        },
      },
    )

    expect(countUnread(newestFirst, muting).unread).toBe(1)
  })

  it('counts a snoozed entry only once its time has passed, and then as unread', () => {
    const snooze = (until: number) => ({ until: new Date(until).toISOString(), envelope: '{}' })
    const newestFirst = [header(ids[2]), header(ids[1]), header(ids[0])]
    const marks = lens({
      read: new Set([ids[0] as string]),
      snoozed: new Map([
        [ids[2] as string, snooze(NOW + 1000)],
        [ids[0] as string, snooze(NOW - 1000)],
      ]),
    })

    // ids[2] sleeps; ids[1] is unread; ids[0] was read but is back from its snooze.
    expect(countUnread(newestFirst, marks).unread).toBe(2)
    // Both are listed until marked: the one whose time has passed is back, unread.
    expect(readStateOf(marks, { unread: 2 }).snoozed).toEqual({
      [ids[2] as string]: new Date(NOW + 1000).toISOString(),
      [ids[0] as string]: new Date(NOW - 1000).toISOString(),
    })
  })

  it('shows history oldest first: dismissed and muted ones gone, a thread by its newest with its count', () => {
    const history = [
      alert(ids[0] as string, { thread: 'disk' }),
      upload(ids[1] as string, 'processing'),
      alert(ids[2] as string, { thread: 'disk' }),
      upload(ids[3] as string, 'completed'),
      alert(ids[4] as string, { source: 'noisy' }),
      alert(ids[5] as string, { thread: 'disk' }),
    ]

    const marks = lens(
      { read: new Set([ids[3] as string]) },
      { preferences: { mute: { sources: ['noisy'] } } },
    )
    const shown = inboxView(history, marks, { recent: true })

    expect(shown.map((envelope) => [envelope.id, envelope.read, envelope.thread])).toEqual([
      [ids[3], true, { key: 'upload:u1', count: 2 }],
      [ids[5], false, { key: 'disk', count: 3 }],
    ])
    // A page of missed notifications lists each one, for the client to add to what it has.
    expect(inboxView(history, marks).map((envelope) => envelope.thread?.count)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })

  it('puts an entry back from its snooze in the recent list, flagged, even once history let it go', () => {
    const gone = alert(ids[0] as string)
    const marks = lens({
      snoozed: new Map([
        [ids[0] as string, { until: new Date(NOW - 1).toISOString(), envelope: JSON.stringify(gone) }],
      ]),
    })

    expect(inboxView([], marks, { recent: true })).toEqual([{ ...gone, read: false, snoozed: true }])
    expect(inboxView([], marks)).toEqual([])
  })

  it('brings back no copy that has expired since, or that the preferences now mute', () => {
    const back = new Date(NOW - 1).toISOString()
    const expired = { ...alert(ids[0] as string), expiresAt: new Date(NOW - 10).toISOString() }
    const muted = alert(ids[1] as string, { source: 'noisy' })
    const marks = lens(
      {
        snoozed: new Map([
          [ids[0] as string, { until: back, envelope: JSON.stringify(expired) }],
          [ids[1] as string, { until: back, envelope: JSON.stringify(muted) }],
        ]),
      },
      { preferences: { mute: { sources: ['noisy'] } } },
    )

    expect(inboxView([], marks, { recent: true })).toEqual([])
    expect(countUnread([], marks).unread).toBe(0)
  })

  it('lists the marker and the newest marks in read_state', () => {
    const marks = lens({ readBefore: ids[1], read: new Set([ids[2] as string, ids[3] as string]) })

    expect(readStateOf(marks, { unread: 4 })).toEqual({
      unread: 4,
      read: [ids[3], ids[2]],
      dismissed: [],
      all: true,
      readBefore: ids[1],
    })
  })
})
