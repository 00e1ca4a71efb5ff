import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { sweepExpired } from '../../local/ttl-sweeper.js'
import { CONNECTIONS_TABLE } from '../../shared/store/tables.js'
import { withLocalDynamo } from '../support/local-dynamo.js'

const dynamo = withLocalDynamo()

describe('Function: sweepExpired', () => {
  it('deletes items past their expiry, as DynamoDB TTL would, and keeps the rest', async () => {
    // Prepare: 60 expired items (more than one BatchWrite) and 3 live ones
    const tables = await dynamo.freshTables()
    const now = 1_800_000_000
    for (let i = 0; i < 63; i++) {
      await dynamo.client.send(
        new PutCommand({
          TableName: tables.connections,
          Item: { pk: `p${i % 5}`, sk: `s${i}`, expiresAt: i < 60 ? now - 1 : now + 60 },
        }),
      )
    }

    // Act
    const deleted = await sweepExpired(
      dynamo.client,
      [{ name: tables.connections, definition: CONNECTIONS_TABLE }],
      now,
    )

    // Assess
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: tables.connections }))
    expect(deleted).toBe(60)
    expect(Items?.map((item) => item.sk).sort()).toEqual(['s60', 's61', 's62'])
  })
})
