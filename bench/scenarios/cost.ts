import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Bill, monthlyBill, type OperationCosts, type Workload } from '../../cli/cost/bill.js'
import { NPM_START_THREADS } from '../../local/defaults.js'
import { startLocalStack } from '../../local/stack.js'
import { measureOperations } from '../support/operation-costs.js'
import { table } from '../support/stats.js'

export const OPERATIONS_FILE = resolve(import.meta.dirname, '../../cli/cost/operations.json')

/** What each kind of work costs on `npm start`'s stack (its threaded runtime); `mockRoutes` as given. */
async function measured(mockRoutes?: Record<string, never>): Promise<OperationCosts> {
  const stack = await startLocalStack({ port: 0, threads: NPM_START_THREADS, gateway: { mockRoutes } })
  try {
    return await measureOperations(stack)
  } finally {
    await stack.close()
  }
}

const SIZES = [10_000, 100_000, 1_000_000]

/**
 * `npm run bench -- --only cost`: measures every kind of work on the twin, commits the counts
 * `herald cost` multiplies (cli/cost/operations.json), and prints the monthly bill of idle
 * connections now and before API Gateway answered the heartbeat (ping through `$default` every
 * 4 minutes, and a resume after each planned reconnect, as the client did), measured in the same run.
 */
export async function cost() {
  const operations = await measured()
  await writeFile(
    OPERATIONS_FILE,
    `${JSON.stringify({ measured: new Date().toISOString().slice(0, 10), command: 'npm run bench -- --only cost', operations }, null, 2)}\n`,
  )
  const before = await measured({})
  // Before: every heartbeat was a `ping` the message function answered, every 4 quiet minutes, and
  // every planned reconnect closed the socket first, then resumed on the next.
  const beforeCosts = { ...operations, keepalive: scaled(before.ping ?? {}, 8.5 / 4) }
  const rows = []
  for (const connections of SIZES) {
    const workload: Workload = { connections }
    const now = monthlyBill(operations, workload)
    const then = monthlyBill(beforeCosts, { ...workload, resumeEachReconnect: true })
    rows.push({
      connections: connections.toLocaleString('en-US'),
      'floor $': money(now.floorUsd),
      'before $': money(then.totalUsd),
      'before ÷ floor': ratio(then),
      'now $': money(now.totalUsd),
      'now ÷ floor': ratio(now),
    })
  }
  table('Idle connections for 30 days (herald cost)', rows)
  return { operations, before: before.ping, rows }
}

/** Every count of `usage` times `factor` (so many pings in the time of one keepalive). */
function scaled(usage: OperationCosts[string], factor: number): OperationCosts[string] {
  return Object.fromEntries(
    Object.entries(usage).map(([payer, items]) => [
      payer,
      Object.fromEntries(Object.entries(items).map(([item, quantity]) => [item, (quantity ?? 0) * factor])),
    ]),
  )
}

const money = (usd: number) => usd.toLocaleString('en-US', { maximumFractionDigits: 0 })
const ratio = (bill: Bill) => (bill.totalUsd / bill.floorUsd).toFixed(2)
