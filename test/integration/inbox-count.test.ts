import { describe, expect, it } from 'vitest'
import { runPool } from '../../shared/fan-out/pool.js'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import { newId } from '../../shared/protocol/ids.js'
import { withLocalDynamo } from '../support/local-dynamo.js'

const dynamo = withLocalDynamo()
const alert = (id: string, source: string): NotificationEnvelope =>
  ({
    id,
    type: 'alert',
    data: { severity: 'high', title: id, message: '', source },
    timestamp: new Date().toISOString(),
  }) as NotificationEnvelope

describe('Inbox: the unread count under heavy mutes', () => {
  it('reads on past a page of muted notifications, and counts exactly what is left', async () => {
    const { history, inbox } = await dynamo.freshStores()
    const start = Date.now() - 60_000
    const kept = [0, 1, 2].map((i) => alert(newId(start + i), 'api'))
    // More muted notifications, all newer, than one page of the count reads (2,000).
    const muted = Array.from({ length: 2_100 }, (_, i) => alert(newId(start + 10 + i), 'disk-monitor'))
    await runPool([...kept, ...muted], 32, (envelope) =>
      history.record(envelope, { topic: 'alerts', userId: 'ann' }),
    )

    const count = await inbox.unread({ userId: 'ann', preferences: { mute: { sources: ['disk-monitor'] } } })

    expect(count).toEqual({ unread: 3, countedThrough: muted.at(-1)?.id })
  }, 60_000)
})
