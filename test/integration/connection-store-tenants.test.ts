import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { UserStore } from '../../shared/store/user-store.js'
import { ids, withConnectionStore } from '../support/connection-store-fixture.js'

const t = withConnectionStore()
const { dynamo, id } = t

describe('Class: ConnectionStore, tenants and groups', () => {
  const tenant = (name: string) => ({ tenant: id(name) })

  it('finds a group’s connections on a topic within its tenant, reading exactly them', async () => {
    const oncall = id('oncall')
    await t.store.add({
      connectionId: id('a1'),
      userId: '1',
      ...tenant('acme'),
      groups: [oncall],
      topics: ['alerts', 'system'],
    })
    await t.store.add({
      connectionId: id('a2'),
      userId: '2',
      ...tenant('acme'),
      groups: [oncall],
      topics: ['logs'],
    })
    await t.store.add({ connectionId: id('a3'), userId: '3', ...tenant('acme'), topics: ['alerts'] })
    await t.store.add({
      connectionId: id('g1'),
      userId: '1',
      ...tenant('globex'),
      groups: [oncall],
      topics: ['alerts'],
    })

    const lookup = await t.store.recipientsOfGroup(oncall, 'alerts', tenant('acme'))

    expect(ids(lookup)).toEqual([id('a1')])
    expect(lookup.itemsRead).toBe(1)
    expect(ids(await t.store.recipientsOfGroup(oncall, 'alerts', tenant('globex')))).toEqual([id('g1')])
    expect(ids(await t.store.recipientsOfGroup(oncall, 'alerts'))).toEqual([])
  })

  it('drops a connection from its groups’ lookups for a topic it unsubscribes from', async () => {
    const admins = id('admins')
    await t.store.add({
      connectionId: id('u'),
      userId: '1',
      ...tenant('acme'),
      groups: [admins],
      topics: ['alerts', 'system'],
    })

    await t.store.update(id('u'), (current) => ({ topics: ['system'], filters: current.filters }))

    expect(ids(await t.store.recipientsOfGroup(admins, 'alerts', tenant('acme')))).toEqual([])
    const system = await t.store.recipientsOfGroup(admins, 'system', tenant('acme'))
    expect(ids(system)).toEqual([id('u')])
  })

  it('keeps the same user id in two tenants apart, in lookups and in the connection count', async () => {
    await t.store.add({ connectionId: id('acme-1'), userId: '1', ...tenant('acme'), topics: ['alerts'] })
    await t.store.add({ connectionId: id('acme-1b'), userId: '1', ...tenant('acme'), topics: ['alerts'] })
    await t.store.add({ connectionId: id('globex-1'), userId: '1', ...tenant('globex'), topics: ['alerts'] })

    expect(ids(await t.store.recipientsOfUser('1', 'alerts', tenant('acme')))).toEqual(
      [id('acme-1'), id('acme-1b')].sort(),
    )
    expect(ids(await t.store.recipientsOfUser('1', 'alerts', tenant('globex')))).toEqual([id('globex-1')])
    const users = new UserStore({
      client: t.dynamo.client,
      tableName: t.dynamo.tables.connections,
      now: () => t.clock,
    })
    expect((await users.userRecord({ userId: '1', ...tenant('acme') })).connections).toBe(2)
    expect((await users.userRecord({ userId: '1', ...tenant('globex') })).connections).toBe(1)
  })

  it('reads only the tenant’s subscribers for a tenant, and every tenant’s unscoped ("*")', async () => {
    await t.store.add({ connectionId: id('ta'), userId: '1', ...tenant('acme'), topics: ['system'] })
    await t.store.add({ connectionId: id('tg'), userId: '1', ...tenant('globex'), topics: ['system'] })
    await t.store.add({
      connectionId: id('tl'),
      userId: '1',
      ...tenant('acme'),
      topics: ['logs'],
      filters: { level: 'error' },
    })

    const acme = await t.store.recipientsOfTopic('system', tenant('acme'))
    expect(ids(acme)).toEqual([id('ta')])
    expect(acme.itemsRead).toBe(1)
    const everyone = ids(await t.store.recipientsOfTopic('system'))
    expect(everyone).toContain(id('ta'))
    expect(everyone).toContain(id('tg'))
    expect(ids(await t.store.recipientsOfLog({ level: 'error' }, tenant('acme')))).toEqual([id('tl')])
    expect(ids(await t.store.recipientsOfLog({ level: 'error' }, tenant('globex')))).toEqual([])
    expect(ids(await t.store.recipientsOfLog({ level: 'error' }))).toContain(id('tl'))
  })

  it('removes every scoped, unscoped and group item of a connection', async () => {
    const oncall = id('oncall')
    await t.store.add({
      connectionId: id('r'),
      userId: '1',
      ...tenant('acme'),
      groups: [oncall],
      topics: ['alerts', 'logs'],
    })

    await t.store.remove(id('r'))

    const { Items = [] } = await dynamo.client.send(
      new ScanCommand({
        TableName: dynamo.tables.connections,
        FilterExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': id('r') },
      }),
    )
    expect(Items).toEqual([])
  })
})
