import { beforeEach } from 'vitest'
import { ConnectionStore, type ConnectionStoreOptions } from '../../shared/store/connection-store.js'
import { withLocalDynamo } from './local-dynamo.js'

/**
 * A ConnectionStore on dynalite for each test, with a clock the test moves by hand and ids unique
 * to the test, so tests sharing the table never see each other's connections.
 */
export function withConnectionStore() {
  const dynamo = withLocalDynamo()
  const fixture = {
    dynamo,
    /** Counts tests; `id` suffixes it. */
    run: 0,
    /** Epoch ms, what every store built here reads as now. */
    clock: 0,
    store: undefined as unknown as ConnectionStore,
    id: (name: string) => `${name}-${fixture.run}`,
    /** A store on the shared clock, over `client` or `tableName` when given. */
    storeWith: (options: Partial<ConnectionStoreOptions> = {}) =>
      new ConnectionStore({
        client: dynamo.client,
        tableName: dynamo.tables.connections,
        shards: 3,
        now: () => fixture.clock,
        ...options,
      }),
  }
  beforeEach(() => {
    fixture.run++
    fixture.clock = Date.parse('2026-11-26T10:00:00Z')
    fixture.store = fixture.storeWith()
  })
  return fixture
}

/** The connection ids a lookup found, sorted. */
export const ids = (lookup: { recipients: { connectionId: string }[] }) =>
  lookup.recipients.map((r) => r.connectionId).sort()
