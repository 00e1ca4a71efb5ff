import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it, vi } from 'vitest'
import { OPENING_GRACE_MS } from '../../shared/store/connection-store.js'
import { userPartition } from '../../shared/store/keys.js'
import { ids, withConnectionStore } from '../support/connection-store-fixture.js'

const t = withConnectionStore()
const { dynamo, id } = t

/** The index item a fan-out found the connection through, as it hands it to removeGone. */
const foundThrough = (connectionId: string, userId: string) => [
  { pk: userPartition(userId), sk: `alerts#${connectionId}` },
]

// API Gateway answers 410 both for a connection whose `$connect` has not returned yet and for one
// that is gone; only the welcome's delivery tells them apart.
describe('Class: ConnectionStore, a 410 for a connection still opening', () => {
  it('keeps a connection registered moments ago and never welcomed: it is still opening', async () => {
    await t.store.add({ connectionId: id('new'), userId: 'nia', topics: ['alerts'] })

    await t.store.removeGone(id('new'), foundThrough(id('new'), 'nia'))

    expect(await t.store.get(id('new'))).toBeDefined()
    expect(ids(await t.store.recipientsOfUser('nia', 'alerts'))).toEqual([id('new')])
  })

  it('removes a welcomed connection at once, with every index item', async () => {
    await t.store.add({ connectionId: id('open'), userId: 'oli', topics: ['alerts', 'system'] })
    await t.store.markOpen(id('open'))

    await t.store.removeGone(id('open'), foundThrough(id('open'), 'oli'))

    expect(await t.store.get(id('open'))).toBeUndefined()
    expect(ids(await t.store.recipientsOfTopic('system'))).not.toContain(id('open'))
  })

  it('removes a never-welcomed connection once it is older than any $connect could take', async () => {
    await t.store.add({ connectionId: id('stuck'), userId: 'sam', topics: ['alerts'] })
    t.clock += OPENING_GRACE_MS

    await t.store.removeGone(id('stuck'), foundThrough(id('stuck'), 'sam'))

    expect(await t.store.get(id('stuck'))).toBeUndefined()
    expect(ids(await t.store.recipientsOfUser('sam', 'alerts'))).toEqual([])
  })

  it('marks nothing for a connection $disconnect already removed', async () => {
    await t.store.markOpen(id('never'))

    expect(await t.store.get(id('never'))).toBeUndefined()
  })

  it('keeps openedAt when a subscription change that read the connection before it was welcomed lands after', async () => {
    await t.store.add({ connectionId: id('race'), userId: 'rae', topics: ['alerts'] })
    // A change whose conditional write of the connection item is held until the welcome has marked it.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let holding = true
    const slowClient = {
      send: async (command: unknown) => {
        if (holding && command instanceof PutCommand && command.input.Item?.sk === 'meta') {
          holding = false
          await held
        }
        return dynamo.client.send(command as PutCommand)
      },
    } as unknown as typeof dynamo.client

    const changing = t.storeWith({ client: slowClient }).update(id('race'), () => ({
      topics: ['alerts', 'system'],
      filters: {},
    }))
    await vi.waitFor(() => expect(holding).toBe(false))
    await t.store.markOpen(id('race'))
    release()
    await changing

    const stored = await t.store.get(id('race'))
    expect(stored?.openedAt).toEqual(expect.any(String))
    expect(stored?.topics).toEqual(['alerts', 'system'])
  })
})
