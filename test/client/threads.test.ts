import { describe, expect, it } from 'vitest'
import { listed, threadKeyOf } from '../../client/core/threads.js'
import type { FrameSource } from '../../client/websocket-types.js'
import type { NotificationEnvelope, Thread } from '../../shared/protocol/frames.js'

const NOW = Date.parse('2026-11-27T10:00:00.000Z')

// Ids sort by time, as ULIDs do: 'n1' < 'n2' < 'n3'.
const alert = (id: string, extra: { thread?: Thread; snoozed?: boolean; expiresAt?: string } = {}) =>
  ({
    id,
    type: 'alert',
    data: { severity: 'low', title: id, message: '' },
    timestamp: '2026-11-27T10:00:00.000Z',
    ...extra,
  }) as NotificationEnvelope
const upload = (id: string, status: string) =>
  ({
    id,
    type: 'upload_status',
    data: { upload_id: 'u1', status, progress: 50, filename: 'q3.csv' },
    timestamp: '2026-11-27T10:00:00.000Z',
  }) as NotificationEnvelope

const play = (...steps: [NotificationEnvelope, FrameSource?][]): NotificationEnvelope[] =>
  steps.reduce<NotificationEnvelope[]>((list, [each, source = 'live']) => listed(list, each, source, NOW), [])
const entries = (list: NotificationEnvelope[]) => list.map((each) => [each.id, each.thread?.count])

describe('Function: listed', () => {
  it('folds a thread into one entry, its newest shown, with the count the recent page gave', () => {
    const list = play([alert('n1', { thread: { key: 'deploy', count: 3 } }), 'recent'], [alert('n2')])

    expect(entries(list)).toEqual([
      ['n2', undefined],
      ['n1', 3],
    ])
  })

  it.each<[FrameSource]>([['live'], ['missed']])(
    'adds one to the entry a %s notification joins, whatever count it carries',
    (source) => {
      const list = play(
        [alert('n1', { thread: { key: 'deploy', count: 3 } }), 'recent'],
        [alert('n2', { thread: { key: 'deploy', count: 9 } }), source],
        [alert('n3', { thread: { key: 'deploy' } }), source],
      )

      expect(entries(list)).toEqual([['n3', 5]])
      expect(list[0]?.thread?.key).toBe('deploy')
    },
  )

  it('starts a live thread at one', () => {
    expect(entries(play([alert('n1', { thread: { key: 'deploy' } })]))).toEqual([['n1', 1]])
  })

  it('keeps the newest shown when an older notification of its thread arrives late, and counts it', () => {
    const list = play(
      [alert('n2', { thread: { key: 'deploy' } })],
      [alert('n1', { thread: { key: 'deploy' } })],
    )

    expect(entries(list)).toEqual([['n2', 2]])
  })

  it('folds an upload from a server before threads by its upload id, as the server keys it', () => {
    const list = play([upload('n1', 'processing')], [upload('n2', 'completed')])

    expect(list.map((each) => each.thread)).toEqual([{ key: 'upload:u1', count: 2 }])
    expect(threadKeyOf(upload('n1', 'processing'))).toBe('upload:u1')
  })

  it('lists a snooze’s return in its own place, with the count the server gives, once', () => {
    const list = play(
      [alert('n1', { thread: { key: 'deploy', count: 2 } }), 'recent'],
      [alert('n1', { thread: { key: 'deploy', count: 4 }, snoozed: true }), 'recent'],
      [alert('n0'), 'recent'],
      [alert('n0', { snoozed: true }), 'recent'],
    )

    expect(entries(list)).toEqual([
      ['n1', 4],
      ['n0', undefined],
    ])
  })

  it('does not list a notification that expired before it arrived', () => {
    const list = play(
      [alert('n1', { expiresAt: new Date(NOW).toISOString() })],
      [alert('n2', { expiresAt: new Date(NOW + 1).toISOString() })],
    )

    expect(entries(list)).toEqual([['n2', undefined]])
  })
})
