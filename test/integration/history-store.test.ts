import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { beforeEach, describe, expect, it } from 'vitest'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import { newId } from '../../shared/protocol/ids.js'
import { HistoryStore } from '../../shared/store/history-store.js'
import { withLocalDynamo } from '../support/local-dynamo.js'

const dynamo = withLocalDynamo()
let history: HistoryStore
let clock: number
let tableName: string

beforeEach(async () => {
  clock = Date.parse('2026-11-26T10:00:00Z')
  const tables = await dynamo.freshTables()
  tableName = tables.history
  history = new HistoryStore({
    client: dynamo.client,
    tableName: tables.history,
    retentionSeconds: 3600,
    now: () => clock,
  })
})

function envelope(type: 'alert' | 'system', title: string): NotificationEnvelope {
  clock += 1000
  const data = { severity: 'low' as const, title, message: '' }
  return { id: newId(clock), type, data, timestamp: new Date(clock).toISOString() } as NotificationEnvelope
}
const alert = (title: string) => envelope('alert', title)
const system = (title: string) => envelope('system', title)

const titles = (envelopes: NotificationEnvelope[]) =>
  envelopes.map((e) => (e.data as { title: string }).title)

describe('Class: HistoryStore', () => {
  it('returns what a user missed since an id: their own and the broadcasts, oldest first', async () => {
    // Prepare
    const seen = alert('seen')
    await history.record(seen, { topic: 'alerts', userId: 'alice' })
    const events = [alert('mine-1'), system('notice'), alert('broadcast'), alert('mine-2'), alert('bobs')]
    await history.record(events[0] as NotificationEnvelope, { topic: 'alerts', userId: 'alice' })
    await history.record(events[1] as NotificationEnvelope, { topic: 'system' })
    await history.record(events[2] as NotificationEnvelope, { topic: 'alerts' })
    await history.record(events[3] as NotificationEnvelope, { topic: 'alerts', userId: 'alice' })
    await history.record(events[4] as NotificationEnvelope, { topic: 'alerts', userId: 'bob' })

    // Act
    const missed = await history.missed({
      userId: 'alice',
      topics: ['alerts', 'system'],
      since: seen.id,
      limit: 10,
    })

    // Assess
    expect(titles(missed.envelopes)).toEqual(['mine-1', 'notice', 'broadcast', 'mine-2'])
    expect(missed.more).toBe(false)
  })

  it('leaves out topics the connection is not subscribed to', async () => {
    const start = alert('start')
    await history.record(system('notice'), { topic: 'system' })
    await history.record(alert('broadcast'), { topic: 'alerts' })

    const missed = await history.missed({ userId: 'alice', topics: ['system'], since: start.id, limit: 10 })

    expect(titles(missed.envelopes)).toEqual(['notice'])
  })

  it('pages through a long absence with `more`', async () => {
    const start = alert('start')
    for (let i = 0; i < 5; i++) await history.record(alert(`a${i}`), { topic: 'alerts', userId: 'alice' })

    const first = await history.missed({ userId: 'alice', topics: ['alerts'], since: start.id, limit: 3 })
    const last = first.envelopes.at(-1)?.id
    const second = await history.missed({ userId: 'alice', topics: ['alerts'], since: last, limit: 3 })

    expect(titles(first.envelopes)).toEqual(['a0', 'a1', 'a2'])
    expect(first.more).toBe(true)
    expect(titles(second.envelopes)).toEqual(['a3', 'a4'])
    expect(second.more).toBe(false)
  })

  it('without `since`, returns the most recent notifications, oldest first', async () => {
    for (let i = 0; i < 5; i++) await history.record(alert(`a${i}`), { topic: 'alerts', userId: 'alice' })

    const recent = await history.missed({ userId: 'alice', topics: ['alerts'], limit: 2 })

    expect(titles(recent.envelopes)).toEqual(['a3', 'a4'])
    expect(recent.more).toBe(true)
  })

  it('forgets notifications past the retention time', async () => {
    const start = alert('start')
    await history.record(alert('old'), { topic: 'alerts', userId: 'alice' })
    clock += 2 * 3600 * 1000

    const missed = await history.missed({ userId: 'alice', topics: ['alerts'], since: start.id, limit: 10 })

    expect(missed.envelopes).toEqual([])
  })

  it('writes nothing for a log event: the table holds only what a resume can return', async () => {
    const log: NotificationEnvelope = {
      id: newId(clock + 5),
      type: 'log_event',
      data: { level: 'info', message: 'x' },
      timestamp: '',
    }
    await history.record(log, { topic: 'logs' })
    await history.record(alert('kept'), { topic: 'alerts' })

    // The whole table, not only the partitions a resume reads.
    const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: tableName }))
    expect(Items.map((item) => item.topic)).toEqual(['alerts'])
  })

  it('shows a tenant’s member its own, its groups’, its tenant’s and "*" broadcasts, and nothing of another tenant', async () => {
    const start = alert('before')
    await history.record(alert('acme user 1'), { topic: 'alerts', tenant: 'acme', userId: '1' })
    await history.record(alert('globex user 1'), { topic: 'alerts', tenant: 'globex', userId: '1' })
    await history.record(alert('acme oncall'), { topic: 'alerts', tenant: 'acme', group: 'oncall' })
    await history.record(alert('acme admins'), { topic: 'alerts', tenant: 'acme', group: 'admins' })
    await history.record(alert('globex oncall'), { topic: 'alerts', tenant: 'globex', group: 'oncall' })
    await history.record(system('acme everyone'), { topic: 'system', tenant: 'acme' })
    await history.record(system('globex everyone'), { topic: 'system', tenant: 'globex' })
    await history.record(system('every tenant'), { topic: 'system' })

    const missed = await history.missed({
      userId: '1',
      tenant: 'acme',
      groups: ['oncall'],
      topics: ['alerts', 'system'],
      since: start.id,
      limit: 10,
    })

    expect(titles(missed.envelopes)).toEqual(['acme user 1', 'acme oncall', 'acme everyone', 'every tenant'])
  })
})
