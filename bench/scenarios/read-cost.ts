import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import { createTables, localDynamoClient, startDynamo } from '../../local/dynamodb.js'
import { HeraldError } from '../../shared/errors.js'
import { findRecipients } from '../../shared/fan-out/fan-out.js'
import { runPool } from '../../shared/fan-out/pool.js'
import { audienceOf } from '../../shared/protocol/audience.js'
import type { LogFilters } from '../../shared/protocol/frames.js'
import type { LogLevel } from '../../shared/protocol/notifications.js'
import { inboxPreferencesOf } from '../../shared/protocol/preference-rules.js'
import { type PublishInput, parsePublishBody } from '../../shared/protocol/publish-body.js'
import type { Topic } from '../../shared/protocol/topics.js'
import { ConnectionStore } from '../../shared/store/connection-store.js'
import { table } from '../support/stats.js'

const LEVELS: (LogLevel | undefined)[] = [undefined, 'error', 'warning', 'info']
const MUTING = inboxPreferencesOf({
  mute: { sources: Array.from({ length: 10 }, (_, i) => `noisy-source-${i}`) },
  minSeverity: { inbox: 'medium' },
})
const SOURCES = [undefined, 'api', 'worker', 'billing']
const TENANTS = 10

/**
 * A realistic multi-tenant mix: users (3 connections each) spread over 10 tenants, a quarter of
 * them on call, each in one of 25 teams; most connections on the notification topics, a fifth on
 * logs with filters.
 */
function connectionSpecs(count: number, withPreferences: boolean) {
  return Array.from({ length: count }, (_, i) => {
    const user = Math.floor(i / 3)
    const onLogs = i % 5 === 0
    const filters: LogFilters = onLogs ? { level: LEVELS[i % 4], source: SOURCES[(i >> 2) % 4] } : {}
    return {
      connectionId: `conn-${i}`,
      userId: `user-${user}`,
      tenant: `tenant-${user % TENANTS}`,
      groups: [...(user % 4 === 0 ? ['oncall'] : []), `team-${user % 25}`],
      topics: (onLogs ? ['logs'] : ['alerts', 'system', 'uploads']) as Topic[],
      filters,
      // Half the users have muted ten sources and set a threshold: what their index items carry.
      ...(withPreferences && user % 2 === 0 ? { preferences: MUTING } : {}),
    }
  })
}

type Item = Record<string, unknown>
const on = (item: Item, topic: Topic) => (item.topics as string[]).includes(topic)
const inTenant = (item: Item) => item.tenant === 'tenant-0'

/** Each notification, and which stored connections a Scan must pick out to find its recipients. */
const SCENARIOS: [string, PublishInput, (item: Item) => boolean][] = [
  [
    'targeted alert (one user, 3 connections)',
    {
      type: 'alert',
      tenant: 'tenant-0',
      userId: 'user-10',
      data: { severity: 'high', title: 't', message: '' },
    },
    (item) => inTenant(item) && item.userId === 'user-10' && on(item, 'alerts'),
  ],
  [
    'group alert (on call, one tenant)',
    {
      type: 'alert',
      tenant: 'tenant-0',
      group: 'oncall',
      data: { severity: 'high', title: 't', message: '' },
    },
    (item) => inTenant(item) && (item.groups as string[]).includes('oncall') && on(item, 'alerts'),
  ],
  [
    'system notice to one tenant',
    { type: 'system', tenant: 'tenant-0', data: { title: 't', message: '' } },
    (item) => inTenant(item) && on(item, 'system'),
  ],
  [
    'system notice to every tenant ("*")',
    { type: 'system', tenant: '*', data: { title: 't', message: '' } },
    (item) => on(item, 'system'),
  ],
  [
    'filtered log event (error from api, one tenant)',
    {
      type: 'log_event',
      tenant: 'tenant-0',
      data: { level: 'error', message: 'm', source: 'api', environment: 'prod' },
    },
    (item) => {
      const f = item.filters as LogFilters
      return (
        inTenant(item) &&
        on(item, 'logs') &&
        (!f.level || f.level === 'error') &&
        (!f.source || f.source === 'api') &&
        !f.environment
      )
    },
  ],
]

/** What the common samples do: Scan every connection item and filter. Items read, and matches found. */
async function scanCost(client: DynamoDBDocumentClient, tableName: string, matches: (item: Item) => boolean) {
  let scanned = 0
  let found = 0
  for await (const page of paginateScan(
    { client },
    { TableName: tableName, FilterExpression: 'sk = :meta', ExpressionAttributeValues: { ':meta': 'meta' } },
  )) {
    scanned += page.ScannedCount ?? 0
    found += (page.Items ?? []).filter(matches).length
  }
  return { scanned, found }
}

/**
 * Items DynamoDB reads to find a notification's recipients among `connections` stored ones:
 * Herald's key lookups against a Scan of the table with a filter, what the common samples do.
 */
export async function readCost(options: { connections: number }) {
  const dynamo = await startDynamo()
  const raw = localDynamoClient(dynamo.endpoint)
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } })
  try {
    /** A table holding the connections, each added as `$connect` adds it; its name prefix is `prefix`. */
    const stored = async (prefix: string, withPreferences: boolean) => {
      const tables = await createTables(raw, prefix)
      const store = new ConnectionStore({ client, tableName: tables.connections })
      const specs = connectionSpecs(options.connections, withPreferences)
      await runPool(specs, 32, async (spec) => void (await store.add(spec)))
      return { tables, store }
    }
    const { tables, store } = await stored('bench', false)
    // The same connections where half the users keep preferences, which the fan-out applies to the
    // items it reads: the items read must not change.
    const { store: mutingStore } = await stored('bench-preferences', true)
    const rows = []
    const results: Record<string, unknown> = {}
    for (const [name, input, matches] of SCENARIOS) {
      const body = parsePublishBody(input)
      const lookup = await findRecipients(store, body, audienceOf(body, true))
      const withPreferences = await findRecipients(mutingStore, body, audienceOf(body, true))
      const { scanned, found } = await scanCost(client, tables.connections, matches)
      const row = {
        notification: name,
        recipients: lookup.recipients.length,
        'Herald items read': lookup.itemsRead,
        'per recipient': lookup.itemsRead / Math.max(1, lookup.recipients.length),
        'with preferences': withPreferences.itemsRead / Math.max(1, withPreferences.recipients.length),
        'Scan items read': scanned,
        'Scan per recipient': scanned / Math.max(1, found),
        'Scan / Herald': scanned / Math.max(1, lookup.itemsRead),
      }
      rows.push(row)
      results[name] = row
      if (found !== lookup.recipients.length)
        throw new HeraldError(
          'bench_mismatch',
          `${name}: Herald found ${lookup.recipients.length}, the Scan ${found}`,
        )
    }
    table(
      `Read cost: items read per delivered message, ${options.connections.toLocaleString('en-US')} connections in ${TENANTS} tenants stored`,
      rows,
    )
    return results
  } finally {
    client.destroy()
    await dynamo.close()
  }
}
