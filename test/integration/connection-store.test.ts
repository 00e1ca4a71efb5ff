import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it, vi } from 'vitest'
import type { LogFilters } from '../../shared/protocol/frames.js'
import { LOG_LEVELS, type LogLevel } from '../../shared/protocol/notifications.js'
import { logPartition, notificationPartition, shardOf, userPartition } from '../../shared/store/keys.js'
import { queryPages } from '../../shared/store/query-pages.js'
import { ids, withConnectionStore } from '../support/connection-store-fixture.js'

const t = withConnectionStore()
const { dynamo, id } = t

describe('Class: ConnectionStore', () => {
  it('stores a connection with its user, topics, filters and an expiry past API Gateway’s 2-hour cut', async () => {
    // Act
    const added = await t.store.add({
      connectionId: id('a'),
      userId: 'alice',
      topics: ['alerts', 'system', 'alerts'],
    })

    // Assess
    expect(added).toMatchObject({ userId: 'alice', topics: ['alerts', 'system'], filters: {}, version: 1 })
    expect(added.expiresAt - t.clock / 1000).toBeGreaterThan(2 * 3600)
    expect(await t.store.get(id('a'))).toEqual(added)
  })

  it('finds a user’s connections on a topic and nobody else’s', async () => {
    await t.store.add({ connectionId: id('a1'), userId: id('alice'), topics: ['alerts', 'uploads'] })
    await t.store.add({ connectionId: id('a2'), userId: id('alice'), topics: ['logs'] })
    await t.store.add({ connectionId: id('b1'), userId: id('bob'), topics: ['alerts'] })

    expect(ids(await t.store.recipientsOfUser(id('alice'), 'alerts'))).toEqual([id('a1')])
    expect(ids(await t.store.recipientsOfUser(id('alice'), 'logs'))).toEqual([id('a2')])
    expect(ids(await t.store.recipientsOfUser(id('bob'), 'alerts'))).toEqual([id('b1')])
    expect(ids(await t.store.recipientsOfUser(id('carol'), 'alerts'))).toEqual([])
  })

  it('keeps user ids that look like key syntax in their own partition', async () => {
    await t.store.add({ connectionId: id('x'), userId: 'eve#conn', topics: ['alerts'] })
    expect(ids(await t.store.recipientsOfUser('eve', 'alerts'))).toEqual([])
    expect(ids(await t.store.recipientsOfUser('eve#conn', 'alerts'))).toEqual([id('x')])
  })

  it('finds every subscriber of a topic across its shards, reading no one else', async () => {
    const subscribers = Array.from({ length: 30 }, (_, i) => id(`s${i}`))
    for (const connectionId of subscribers)
      await t.store.add({ connectionId, userId: 'u', topics: ['system'] })
    await t.store.add({ connectionId: id('other'), userId: 'u', topics: ['alerts'] })

    const lookup = await t.store.recipientsOfTopic('system')

    expect(ids(lookup).filter((c) => c.endsWith(`-${t.run}`))).toEqual([...subscribers].sort())
    expect(new Set(subscribers.map((c) => shardOf(c, 3))).size).toBe(3)
  })

  it('changes topics and filters, moving the connection between index partitions', async () => {
    await t.store.add({ connectionId: id('c'), userId: 'carol', topics: ['alerts'] })

    const updated = await t.store.update(id('c'), () => ({
      topics: ['system', 'logs'],
      filters: { level: 'error' },
    }))

    expect(updated).toMatchObject({ topics: ['system', 'logs'], filters: { level: 'error' }, version: 2 })
    expect(ids(await t.store.recipientsOfUser('carol', 'alerts'))).toEqual([])
    expect(ids(await t.store.recipientsOfUser('carol', 'system'))).toEqual([id('c')])
    expect(ids(await t.store.recipientsOfTopic('alerts'))).not.toContain(id('c'))
    expect(ids(await t.store.recipientsOfLog({ level: 'error', source: 'api' }))).toContain(id('c'))
    expect(ids(await t.store.recipientsOfLog({ level: 'info', source: 'api' }))).not.toContain(id('c'))
  })

  it('returns undefined when updating a connection that is gone', async () => {
    expect(await t.store.update(id('never'), (c) => c)).toBeUndefined()
  })

  it('converges when many changes to one connection race', async () => {
    await t.store.add({ connectionId: id('r'), userId: 'rita', topics: ['logs'] })
    const levels: LogLevel[] = [...LOG_LEVELS, ...LOG_LEVELS]

    // Act: ten concurrent set_filters, as API Gateway may run ten $default invocations at once
    await Promise.all(
      levels.map((level) => t.store.update(id('r'), (c) => ({ topics: c.topics, filters: { level } }))),
    )

    // Assess: exactly the stored filter finds the connection, no other level does
    const final = await t.store.get(id('r'))
    expect(final?.version).toBe(11)
    for (const level of LOG_LEVELS) {
      const found = ids(await t.store.recipientsOfLog({ level })).includes(id('r'))
      expect(found, `level ${level}`).toBe(level === final?.filters.level)
    }
  })

  it('does not let a late write from an older change resurrect a dropped index item', async () => {
    await t.store.add({ connectionId: id('t'), userId: 'tom', topics: ['alerts'] })
    // A slow writer: its index write for `system` is held until a newer change has dropped `system`.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const slowClient = {
      send: async (command: unknown) => {
        const item = (command as { input?: { Item?: { pk?: string } } }).input?.Item
        if (command instanceof PutCommand && item?.pk?.startsWith('topic#system')) await held
        return dynamo.client.send(command as PutCommand)
      },
    } as unknown as typeof dynamo.client
    const slow = t.storeWith({ client: slowClient })

    // Act: the slow change adds `system` (version 2); a faster one drops it (version 3) meanwhile.
    const adding = slow.update(id('t'), () => ({ topics: ['alerts', 'system'], filters: {} }))
    await vi.waitFor(async () => expect((await t.store.get(id('t')))?.version).toBe(2))
    await t.store.update(id('t'), () => ({ topics: ['alerts'], filters: {} }))
    release()
    await adding

    // Assess: the production write of the older index item lost to the newer tombstone.
    expect(ids(await t.store.recipientsOfTopic('system'))).not.toContain(id('t'))
    expect((await t.store.get(id('t')))?.topics).toEqual(['alerts'])
  })

  it('removes a connection and every index item, and can run again', async () => {
    await t.store.add({
      connectionId: id('d'),
      userId: 'dan',
      topics: ['alerts', 'logs'],
      filters: { source: 'api' },
    })

    await t.store.remove(id('d'))
    await t.store.remove(id('d'))

    expect(await t.store.get(id('d'))).toBeUndefined()
    const leftovers = await Promise.all(
      [
        userPartition('dan'),
        notificationPartition(shardOf(id('d'), 3)),
        logPartition({ source: 'api' }, shardOf(id('d'), 3)),
      ].map((pk) =>
        dynamo.client.send(
          new QueryCommand({
            TableName: dynamo.tables.connections,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
          }),
        ),
      ),
    )
    expect(
      leftovers.flatMap((page) => page.Items ?? []).filter((item) => item.connectionId === id('d')),
    ).toEqual([])
  })

  it('deletes a stale index item a fan-out found even when the connection item is already gone', async () => {
    await t.store.add({ connectionId: id('o'), userId: 'olga', topics: ['alerts'] })
    const [orphan] = (await t.store.recipientsOfTopic('alerts')).recipients.filter(
      (r) => r.connectionId === id('o'),
    )
    await t.store.remove(id('o'))
    await dynamo.client.send(
      new PutCommand({
        TableName: dynamo.tables.connections,
        Item: {
          ...orphan?.key,
          connectionId: id('o'),
          userId: 'olga',
          version: 1,
          expiresAt: t.clock / 1000 + 999,
        },
      }),
    )

    await t.store.removeGone(id('o'), orphan ? [orphan.key] : [])

    const { Item } = await dynamo.client.send(
      new GetCommand({ TableName: dynamo.tables.connections, Key: orphan?.key }),
    )
    expect(Item).toBeUndefined()
  })

  it('ignores connections past their expiry on every read', async () => {
    await t.store.add({ connectionId: id('e'), userId: 'erin', topics: ['alerts', 'logs'] })
    t.clock += 3 * 3600 * 1000

    expect(await t.store.get(id('e'))).toBeUndefined()
    expect(ids(await t.store.recipientsOfUser('erin', 'alerts'))).toEqual([])
    expect(ids(await t.store.recipientsOfTopic('alerts'))).not.toContain(id('e'))
    expect(ids(await t.store.recipientsOfLog({ level: 'info' }))).not.toContain(id('e'))
  })

  describe('log filters', () => {
    const values = {
      level: [undefined, 'error', 'info'],
      source: [undefined, 'api', 'web'],
      environment: [undefined, 'prod', 'dev'],
    }
    const combos: LogFilters[] = []
    for (const level of values.level)
      for (const source of values.source)
        for (const environment of values.environment)
          combos.push({ level: level as LogLevel | undefined, source, environment })
    const filterKey = (f: LogFilters) => `${f.level ?? '*'}/${f.source ?? '*'}/${f.environment ?? '*'}`
    const matches = (f: LogFilters, log: { level: LogLevel; source?: string; environment?: string }) =>
      (f.level === undefined || f.level === log.level) &&
      (f.source === undefined || f.source === log.source) &&
      (f.environment === undefined || f.environment === log.environment)

    const logs = [
      { level: 'error' as const, source: 'api', environment: 'prod' },
      { level: 'info' as const, source: 'web', environment: 'dev' },
      { level: 'error' as const, source: 'web' },
      { level: 'info' as const },
      { level: 'debug' as const, source: 'api', environment: 'prod' },
      { level: 'error' as const, environment: 'dev' },
    ]

    it.each(logs)('finds exactly the subscribers whose every set field equals the log’s: %o', async (log) => {
      // Prepare: a table of its own, one subscriber per combination of set and unset fields (27)
      const tables = await dynamo.freshTables()
      t.store = t.storeWith({ tableName: tables.connections })
      const connections = new Map<string, LogFilters>()
      for (const filters of combos) {
        const connectionId = id(`log-${filterKey(filters)}`)
        connections.set(connectionId, filters)
        await t.store.add({ connectionId, userId: 'ops', topics: ['logs'], filters })
      }

      // Act
      const lookup = await t.store.recipientsOfLog(log)

      // Assess: found = brute-force match, and nothing else was read
      const expected = [...connections]
        .filter(([, f]) => matches(f, log))
        .map(([c]) => c)
        .sort()
      expect(ids(lookup)).toEqual(expected)
      expect(lookup.itemsRead).toBe(expected.length)
    })
  })

  it('reads every page of a long query', async () => {
    for (let i = 0; i < 7; i++)
      await t.store.add({ connectionId: id(`p${i}`), userId: 'paged', topics: ['alerts'] })

    const { items, itemsRead } = await queryPages(dynamo.client, {
      TableName: dynamo.tables.connections,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': userPartition('paged') },
      Limit: 2,
    })

    // One item a connection under its user, whatever its topics: seven, in four pages of two.
    expect(items).toHaveLength(7)
    expect(itemsRead).toBe(7)
  })
})
