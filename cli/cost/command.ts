import { readFileSync } from 'node:fs'
import { type Flags, UsageError } from '../flags.js'
import { monthlyBill, type Notifications, type OperationCosts, type Workload } from './bill.js'
import { PRICES_READ_ON } from './prices.js'

const OPERATIONS_FILE = new URL('./operations.json', import.meta.url)

/** A count flag: a non-negative number, `1e6` and `1_000_000` written as the user likes. */
function count(flags: Flags, name: keyof Flags, fallback?: number): number | undefined {
  const text = flags[name]
  if (text === undefined) return fallback
  const value = Number(String(text).replaceAll('_', '').replaceAll(',', ''))
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${name} must be a number, not "${text}"`)
  return value
}

/** `alert:1000000:1,system:1000:5000`: kind, notifications a month, connections each reaches. */
function notifications(text: string | undefined): Notifications[] {
  return (text ?? '')
    .split(/\s+|;/)
    .join(',')
    .split(',')
    .filter(Boolean)
    .map((part) => {
      const [kind = '', perMonth, audience = '1'] = part.split(':')
      const numbers = [Number(perMonth), Number(audience)]
      if (!['alert', 'system', 'upload_status'].includes(kind) || numbers.some((n) => !(n >= 0)))
        throw new UsageError(
          `--notifications takes kind:perMonth:audience (alert, system, upload_status), not "${part}"`,
        )
      return { kind, perMonth: numbers[0] as number, audience: numbers[1] as number }
    })
}

/** `herald cost`: the monthly bill of a workload, as a table or (`--json`) for tools. */
export function printCost(flags: Flags): void {
  const workload: Workload = {
    connections: count(flags, 'connections', 0) as number,
    days: count(flags, 'days', 30) as number,
    notifications: notifications(flags.notifications),
    logLines: count(flags, 'log-lines', 0) as number,
    logViewers: count(flags, 'log-viewers', 0) as number,
  }
  const reconnect = count(flags, 'reconnect-minutes')
  if (reconnect !== undefined) workload.reconnectMinutes = Math.max(1, reconnect)
  const { operations } = JSON.parse(readFileSync(OPERATIONS_FILE, 'utf8')) as { operations: OperationCosts }
  const bill = monthlyBill(operations, workload)
  if (flags.json) {
    console.log(JSON.stringify(bill, null, 2))
    return
  }
  const usd = (value: number) => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2 })}`
  const rows = bill.lines.map((line) => [
    `${line.service}: ${line.item}`,
    line.quantity.toLocaleString('en-US'),
    line.unit,
    usd(line.usd),
  ])
  rows.push(['total', '', '', usd(bill.totalUsd)], ['API Gateway floor', '', '', usd(bill.floorUsd)])
  const width = (i: number) => Math.max(...rows.map((row) => (row[i] as string).length))
  for (const [item, quantity, unit, cost] of rows)
    console.log(
      `${item?.padEnd(width(0))}  ${quantity?.padStart(width(1))} ${unit?.padEnd(width(2))}  ${cost?.padStart(width(3))}`,
    )
  console.log(
    `\nus-east-1 list prices read ${PRICES_READ_ON}; free tiers left out. Lambda duration is estimated from the calls each function makes (docs/architecture.md, What it costs).`,
  )
}
