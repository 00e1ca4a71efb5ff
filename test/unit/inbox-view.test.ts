import { describe, expect, it } from 'vitest'
import { countUnread, inboxView, readStateOf } from '../../shared/inbox/inbox-view.js'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import { newId } from '../../shared/protocol/ids.js'
import type { InboxState } from '../../shared/store/inbox-store.js'

const ids = Array.from({ length: 6 }, (_, i) => newId(Date.parse('2026-11-27T10:00:00Z') + i * 1000))
const state = (partial: Partial<InboxState> = {}): InboxState => ({
  read: new Set(),
  dismissed: new Set(),
  ...partial,
})
const upload = (id: string, status: 'processing' | 'completed') =>
  ({
    id,
    type: 'upload_status',
    data: { upload_id: 'u1', filename: 'f', status, progress: status === 'completed' ? 100 : 50 },
    timestamp: '2026-11-27T10:00:00.000Z',
  }) as NotificationEnvelope
const alert = (id: string) =>
  ({
    id,
    type: 'alert',
    data: { severity: 'low', title: id, message: '' },
    timestamp: '2026-11-27T10:00:00.000Z',
  }) as NotificationEnvelope

describe('Inbox view', () => {
  it('counts what is neither read (one by one or under the marker) nor dismissed, an upload once', () => {
    const newestFirst = [
      { id: ids[5] as string, uploadId: 'u1' },
      { id: ids[4] as string },
      { id: ids[3] as string, uploadId: 'u1' },
      { id: ids[2] as string },
      { id: ids[1] as string },
      { id: ids[0] as string },
    ]
    const marks = state({
      readBefore: ids[1],
      read: new Set([ids[2] as string]),
      dismissed: new Set([ids[4] as string]),
    })

    // ids[5] (the upload's latest) and ids[1] are unread; ids[0] is under the marker.
    expect(countUnread(newestFirst, marks)).toEqual({ unread: 2, countedThrough: ids[5] })
    expect(countUnread([], marks)).toEqual({ unread: 0, countedThrough: '' })
  })

  it('stops counting at 999 and says it is capped', () => {
    const many = Array.from({ length: 1_500 }, (_, i) => ({ id: `${1_500 - i}`.padStart(26, '0') }))
    const countedThrough = many[0]?.id
    expect(countUnread(many, state())).toEqual({ unread: 999, unreadCapped: true, countedThrough })
    expect(countUnread(many.slice(0, 999), state())).toEqual({ unread: 999, countedThrough })
  })

  it('shows history oldest first without dismissed ones, an upload by its latest status, each flagged read', () => {
    const history = [
      alert(ids[0] as string),
      upload(ids[1] as string, 'processing'),
      alert(ids[2] as string),
      upload(ids[3] as string, 'completed'),
    ]

    const shown = inboxView(
      history,
      state({ read: new Set([ids[3] as string]), dismissed: new Set([ids[2] as string]) }),
    )

    expect(shown.map((envelope) => [envelope.id, envelope.read])).toEqual([
      [ids[0], false],
      [ids[3], true],
    ])
  })

  it('lists the marker and the newest marks in read_state', () => {
    const marks = state({ readBefore: ids[1], read: new Set([ids[2] as string, ids[3] as string]) })

    expect(readStateOf(marks, { unread: 4 })).toEqual({
      unread: 4,
      read: [ids[3], ids[2]],
      dismissed: [],
      all: true,
      readBefore: ids[1],
    })
  })
})
