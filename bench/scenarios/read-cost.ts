import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import { createTables, localDynamoClient, startDynamo } from '../../local/dynamodb.js'
import { HeraldError } from '../../shared/errors.js'
import { findRecipients } from '../../shared/fan-out/fan-out.js'
import { runPool } from '../../shared/fan-out/pool.js'
import { audienceOf } from '../../shared/protocol/audience.js'
import type { LogFilters } from '../../shared/protocol/frames.js'
import type { LogLevel } from '../../shared/protocol/notifications.js'
import { type PublishInput, parsePublishBody } from '../../shared/protocol/publish-body.js'
import type { Topic } from '../../shared/protocol/topics.js'
import { ConnectionStore } from '../../shared/store/connection-store.js'
import { table } from '../support/stats.js'

const LEVELS: (LogLevel | undefined)[] = [undefined, 'error', 'warning', 'info']
const SOURCES = [undefined, 'api', 'worker', 'billing']

/** A realistic mix: most connections on the notification topics (3 per user), a fifth on logs with filters. */
function connectionSpecs(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const onLogs = i % 5 === 0
    const filters: LogFilters = onLogs ? { level: LEVELS[i % 4], source: SOURCES[(i >> 2) % 4] } : {}
    return {
      connectionId: `conn-${i}`,
      userId: `user-${Math.floor(i / 3)}`,
      topics: (onLogs ? ['logs'] : ['alerts', 'system', 'uploads']) as Topic[],
      filters,
    }
  })
}

/** Each notification, and which stored connections a Scan must pick out to find its recipients. */
const SCENARIOS: [string, PublishInput, (item: Record<string, unknown>) => boolean][] = [
  [
    'targeted alert (one user, 3 connections)',
    { type: 'alert', userId: 'user-1', data: { severity: 'high', title: 't', message: '' } },
    (item) => item.userId === 'user-1' && (item.topics as string[]).includes('alerts'),
  ],
  [
    'broadcast system notice',
    { type: 'system', data: { title: 't', message: '' } },
    (item) => (item.topics as string[]).includes('system'),
  ],
  [
    'filtered log event (error from api)',
    { type: 'log_event', data: { level: 'error', message: 'm', source: 'api', environment: 'prod' } },
    (item) => {
      const f = item.filters as LogFilters
      return (
        (item.topics as string[]).includes('logs') &&
        (!f.level || f.level === 'error') &&
        (!f.source || f.source === 'api') &&
        !f.environment
      )
    },
  ],
]

/** What the common samples do: Scan every connection item and filter. Items read, and matches found. */
async function scanCost(
  client: DynamoDBDocumentClient,
  tableName: string,
  matches: (item: Record<string, unknown>) => boolean,
) {
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
    const tables = await createTables(raw, 'bench')
    const store = new ConnectionStore({ client, tableName: tables.connections })
    await runPool(connectionSpecs(options.connections), 32, async (spec) => void (await store.add(spec)))
    const rows = []
    const results: Record<string, unknown> = {}
    for (const [name, input, matches] of SCENARIOS) {
      const body = parsePublishBody(input)
      const lookup = await findRecipients(store, body, audienceOf(body, false))
      const { scanned, found } = await scanCost(client, tables.connections, matches)
      const row = {
        notification: name,
        recipients: lookup.recipients.length,
        'Herald items read': lookup.itemsRead,
        'per recipient': lookup.itemsRead / Math.max(1, lookup.recipients.length),
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
      `Read cost: items read per delivered message, ${options.connections.toLocaleString('en-US')} connections stored`,
      rows,
    )
    return results
  } finally {
    client.destroy()
    await dynamo.close()
  }
}
