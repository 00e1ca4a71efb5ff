import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { measureOperations } from '../../bench/support/operation-costs.js'
import { withLocalStack } from '../support/local-stack.js'

// The per-operation counts `herald cost` multiplies are committed (cli/cost/operations.json, from
// `npm run bench -- --only cost`). A change that adds a write per connect, a call per resume or a
// message per notification fails here until the counts are measured and committed again.
const herald = withLocalStack()

describe('herald cost’s measured operations', () => {
  it('match what the twins count now, operation by operation', async () => {
    const committed = JSON.parse(
      await readFile(new URL('../../cli/cost/operations.json', import.meta.url), 'utf8'),
    )
    const measured = await measureOperations(herald.stack)

    for (const [operation, payers] of Object.entries(committed.operations))
      expect({ operation, payers: measured[operation] }).toEqual({ operation, payers })
    expect(Object.keys(measured).sort()).toEqual(Object.keys(committed.operations).sort())
  }, 60_000)
})
