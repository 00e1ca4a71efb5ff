import { describe, expect, it } from 'vitest'
import { applyFrame, EMPTY_INBOX, type InboxState } from '../../client/core/inbox-state.js'
import type { FrameSource } from '../../client/websocket-types.js'
import type { ServerFrame } from '../../shared/protocol/frames.js'

// Ids sort by time, as ULIDs do: 'n1' < 'n2' < 'n3'.
const frame = (type: string, id: string, data: Record<string, unknown>): ServerFrame =>
  ({ id, type, data, timestamp: '2026-11-27T10:00:00.000Z' }) as ServerFrame

const alert = (id: string) => frame('alert', id, { severity: 'low', title: id, message: '' })
const upload = (id: string, status: string) =>
  frame('upload_status', id, { upload_id: 'u1', status, progress: 50, filename: 'q3.csv' })
const welcome = (count: Record<string, unknown>) => frame('connection_established', 'w', count)
const readState = (count: Record<string, unknown>, read: string[] = []) =>
  frame('read_state', 'r', { read, dismissed: [], all: false, ...count })

const play = (...steps: [ServerFrame, FrameSource?][]): InboxState =>
  steps.reduce((inbox, [each, source = 'live']) => applyFrame(inbox, each, source), EMPTY_INBOX)

// Another tab marks something read while an alert is being published: the recount that follows
// (read_state) can miss the alert or include it, and can reach this tab before or after it.
describe('Function: applyFrame, a count racing a live notification', () => {
  it('adds a live notification the count did not take in, though the count came after it', () => {
    const inbox = play(
      [welcome({ unread: 1, countedThrough: 'n1' })],
      [alert('n2')],
      [readState({ unread: 0, countedThrough: 'n1' }, ['n1'])],
    )

    expect(inbox.unread).toBe(1)
  })

  it('does not add a live notification the count already took in, though it came after the count', () => {
    const inbox = play([welcome({ unread: 2, countedThrough: 'n2' })], [alert('n2')])

    expect(inbox.unread).toBe(2)
  })

  it('lets a count that took in the live notification replace the one this tab added', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [alert('n1')],
      [alert('n2')],
      [readState({ unread: 1, countedThrough: 'n2' }, ['n1'])],
    )

    expect(inbox.unread).toBe(1)
    expect(inbox.pending.size).toBe(0)
  })

  it('does not add back a live notification the same recount says was read or dismissed', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [alert('n1')],
      [alert('n2')],
      [
        frame('read_state', 'r', {
          unread: 0,
          read: ['n1'],
          dismissed: ['n2'],
          all: false,
          countedThrough: '',
        }),
      ],
    )

    expect(inbox.unread).toBe(0)
  })

  it('counts an upload once when its next status comes live after a count that lacked both', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [upload('n1', 'processing')],
      [upload('n2', 'completed')],
      [readState({ unread: 0, countedThrough: '' })],
    )

    expect(inbox.unread).toBe(1)
  })

  it('takes the count of a server that does not say what it took in at its word', () => {
    const inbox = play([welcome({ unread: 1 })], [alert('n2')], [readState({ unread: 0 })])

    expect(inbox.unread).toBe(0)
  })

  it('adds nothing for replayed notifications: the resumed frame brings their count', () => {
    const inbox = play(
      [welcome({ unread: 0, countedThrough: '' })],
      [alert('n1'), 'missed'],
      [frame('resumed', 'x', { count: 1, more: false, unread: 1, countedThrough: 'n1' })],
    )

    expect(inbox.unread).toBe(1)
  })
})
