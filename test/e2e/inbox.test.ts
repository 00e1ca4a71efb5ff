import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Envelope, ReadState } from '../../shared/protocol/frames.js'
import { withLocalStack } from '../support/local-stack.js'
import type { TestClient } from '../support/ws-client.js'

const herald = withLocalStack()
const user = (name: string) => `${name}-${randomUUID().slice(0, 8)}`
const alert = (title: string) => ({ severity: 'low' as const, title, message: title })

/** Publishes and waits until every socket has everything it was sent (a pong follows them). */
async function settle(...sockets: TestClient[]) {
  await herald.stack.idle()
  await Promise.all(sockets.map((socket) => socket.caughtUp()))
}

const readState = async (socket: TestClient) => (await socket.next('read_state')).data as ReadState
const welcomeOf = (socket: TestClient) =>
  socket.received('connection_established')[0]?.data as { unread?: number; unreadCapped?: true }

describe('Inbox state across tabs and devices', () => {
  it('syncs read and dismissed to every tab of the user, and counts unread for a new one', async () => {
    const alice = user('alice')
    const [tab1, tab2, bob] = await Promise.all([
      herald.connect(alice),
      herald.connect(alice),
      herald.connect(user('bob')),
    ])
    expect(welcomeOf(tab1).unread).toBe(0)
    const a1 = await herald.publisher.sendAlertNotification(alice, alert('a1'))
    const a2 = await herald.publisher.sendAlertNotification(alice, alert('a2'))
    const a3 = await herald.publisher.sendAlertNotification(alice, alert('a3'))
    await settle(tab1, tab2, bob)

    tab1.send({ type: 'mark_read', ids: [a1.id] })
    const [seen1, seen2] = await Promise.all([readState(tab1), readState(tab2)])
    tab2.send({ type: 'dismiss', ids: [a2.id] })
    const [after1, after2] = await Promise.all([readState(tab1), readState(tab2)])
    await settle(bob)

    // Each count says the newest notification it took in: a client adds only what is newer.
    const countedThrough = [a1.id, a2.id, a3.id].sort().at(-1)
    expect(seen1).toEqual({ unread: 2, countedThrough, read: [a1.id], dismissed: [], all: false })
    expect(seen2).toEqual(seen1)
    expect(after1).toEqual({ unread: 1, countedThrough, read: [a1.id], dismissed: [a2.id], all: false })
    expect(after2).toEqual(after1)
    expect(bob.received('read_state')).toEqual([])
    const phone = await herald.connect(alice)
    expect(welcomeOf(phone).unread).toBe(1)

    phone.send({ type: 'resume' })
    const resumed = await phone.next('resumed')
    const replayed = phone.frames.filter((frame) => frame.type === 'alert' && frame.replayed)
    expect(replayed.map((frame) => [frame.id, frame.read])).toEqual([
      [a1.id, true],
      [a3.id, false],
    ])
    expect(resumed.data).toEqual({ count: 2, more: false, cursor: a3.id, unread: 1, countedThrough })
  })

  it('ends a resumed page where it read, even on a dismissed notification, so paging never stalls', async () => {
    const carol = user('carol')
    const tab = await herald.connect(carol)
    const kept = await herald.publisher.sendAlertNotification(carol, alert('kept'))
    const gone = await herald.publisher.sendAlertNotification(carol, alert('gone'))
    await settle(tab)
    tab.send({ type: 'dismiss', ids: [gone.id] })
    await readState(tab)

    tab.send({ type: 'resume', since: tab.received('connection_established')[0]?.id })
    const resumed = await tab.next('resumed')

    expect(tab.frames.filter((frame) => frame.replayed).map((frame) => frame.id)).toEqual([kept.id])
    expect(resumed.data).toMatchObject({ count: 1, more: false, cursor: gone.id })
  })

  it('marks everything read with one frame, and counts what arrives after it', async () => {
    const carol = user('carol')
    const tab = await herald.connect(carol)
    for (const title of ['b1', 'b2', 'b3']) await herald.publisher.sendAlertNotification(carol, alert(title))
    await settle(tab)

    tab.send({ type: 'mark_read', all: true })
    const state = await readState(tab)
    const later = await herald.publisher.sendAlertNotification(carol, alert('b4'))
    await settle(tab)
    const next = await herald.connect(carol)

    expect(state).toMatchObject({ unread: 0, read: [], dismissed: [], all: true })
    expect(state.readBefore && state.readBefore > (tab.received('alert')[2] as Envelope).id).toBe(true)
    expect(later.id > (state.readBefore as string)).toBe(true)
    expect(welcomeOf(next).unread).toBe(1)
  })

  it('counts an upload once, by its latest status, and replays only that status', async () => {
    const dan = user('dan')
    const tab = await herald.connect(dan)
    for (const [status, progress] of [
      ['processing', 0],
      ['processing', 35],
      ['processing', 70],
      ['completed', 100],
    ] as const) {
      await herald.publisher.sendUploadStatus(dan, {
        upload_id: 'up-1',
        filename: 'q3.csv',
        status,
        progress,
      })
    }
    await settle(tab)

    const again = await herald.connect(dan)
    again.send({ type: 'resume' })
    const resumed = await again.next('resumed')

    expect(welcomeOf(again).unread).toBe(1)
    expect(again.received('upload_status').map((frame) => frame.data)).toEqual([
      { upload_id: 'up-1', filename: 'q3.csv', status: 'completed', progress: 100 },
    ])
    expect(resumed.data).toMatchObject({ count: 1, unread: 1 })
  })

  it('refuses more than 100 ids or a malformed change, ignores unknown ids, and keeps the socket open', async () => {
    const erin = user('erin')
    const tab = await herald.connect(erin)
    await herald.publisher.sendAlertNotification(erin, alert('c1'))
    await settle(tab)
    const tooMany = Array.from({ length: 101 }, () => (tab.received('alert')[0] as Envelope).id)

    tab.send({ type: 'mark_read', ids: tooMany })
    const refused = await tab.next('error')
    tab.send({ type: 'dismiss', all: true })
    const malformed = await tab.next('error')
    tab.send({ type: 'mark_read', ids: ['01JDZZZZZZZZZZZZZZZZZZZZZZ'] })
    const unknown = await readState(tab)

    expect(refused.data).toMatchObject({ code: 'invalid_message' })
    expect(malformed.data).toMatchObject({ code: 'invalid_message' })
    expect(unknown.unread).toBe(1)
    expect(tab.closed).toBeUndefined()
  })

  it('caps the unread count at 999 and says so', async () => {
    const fay = user('fay')
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => herald.publisher.sendAlertNotification(fay, alert(`n${i}`))),
    )
    await herald.stack.idle()

    const tab = await herald.connect(fay)

    expect(welcomeOf(tab)).toMatchObject({ unread: 999, unreadCapped: true })
  })
})
