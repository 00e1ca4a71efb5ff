import { DEFAULT_HEARTBEAT_MS } from '../../client/core/heartbeat.js'
import { PLANNED_RECONNECT_MS } from '../../client/websocket-service.js'
import { FUNCTIONS, type FunctionSpec } from '../../functions/manifest.js'
import type { BilledItem, Usage } from '../../local/bill-meter.js'
import { DEFAULTS } from '../../shared/defaults.js'
import { ACCESS_LOG_FIELDS } from '../../shared/protocol/gateway-routes.js'
import { PRICES, type Price, priced } from './prices.js'

/** What one unit of each kind of work costs in billed operations, by payer (`npm run bench -- --only cost`). */
export type OperationCosts = Record<string, Record<string, Usage>>

export interface Notifications {
  kind: string
  perMonth: number
  /** Connections each reaches, on average. */
  audience: number
}

export interface Workload {
  connections: number
  /** @default 30 */
  days?: number
  /** How long a connection lasts before the client reconnects. @default the client's (115) */
  reconnectMinutes?: number
  notifications?: readonly Notifications[]
  logLines?: number
  logViewers?: number
  /** Each reconnect resumes, as the client did before it renewed before the break. @default false */
  resumeEachReconnect?: boolean
}

export interface BillLine {
  service: string
  item: string
  quantity: number
  unit: string
  usd: number
}

export interface Bill {
  totalUsd: number
  /** API Gateway's own floor: the connection-minutes and one client message per 9 idle minutes. */
  floorUsd: number
  lines: BillLine[]
}

/**
 * How long a function runs, estimated from the calls it makes: the twin's own speed says nothing
 * about Lambda's. Each invocation is charged its own work and each AWS call a typical same-region
 * latency (warm, no cold start); billed duration rounds each invocation up to 1 ms, which these
 * whole numbers already are.
 */
export const DURATION_MODEL_MS: Partial<Record<BilledItem, number>> & { invocation: number } = {
  invocation: 3,
  'calls.dynamodb': 6,
  'calls.management': 12,
  'calls.lambda': 20,
  'calls.sns': 20,
  'calls.sqs': 15,
  'calls.secretsmanager': 30,
}
// Typical values of the access log's variables, for the size of its line.
const ACCESS_LOG_SAMPLE: Record<string, string> = {
  requestId: 'Kx1AbcdeFAMF5Nw=',
  connectionId: 'Kx1AbcdeFAMCJzw=',
  routeKey: 'keepalive',
  status: '200',
  userId: 'user-1234567',
  sourceIp: '203.0.113.200',
  error: '-',
  integrationError: '-',
}
/** CloudWatch Logs bills each event's bytes plus 26 for its timestamp and framing. */
const LOG_EVENT_OVERHEAD = 26

/** A function's START, END and REPORT lines in CloudWatch Logs, and an access log line per API request. */
export const LOG_BYTES = {
  perInvocation: 330 + 3 * LOG_EVENT_OVERHEAD,
  perApiRequest:
    JSON.stringify(
      Object.fromEntries(Object.keys(ACCESS_LOG_FIELDS).map((field) => [field, ACCESS_LOG_SAMPLE[field]])),
    ).length + LOG_EVENT_OVERHEAD,
}
/** Lambda's SQS pollers long-poll the delivery queue even when it is empty: about 5 × 3 requests a minute. */
const IDLE_POLLS_PER_MINUTE = 15
const MINUTES_PER_DAY = 1440

/** A function's memory (MB) from its manifest entry; undefined for a payer that is not a function. */
function memoryOf(payer: string): number | undefined {
  const spec: FunctionSpec | undefined = (FUNCTIONS as Record<string, FunctionSpec>)[payer]
  return spec && (spec.memorySize ?? DEFAULTS.memorySize)
}

/** How many of each kind of work a month of `workload` holds. */
export function operationCounts(workload: Workload): Record<string, number> {
  const minutes = workload.connections * (workload.days ?? 30) * MINUTES_PER_DAY
  const sessions = minutes / (workload.reconnectMinutes ?? PLANNED_RECONNECT_MS / 60_000)
  const counts: Record<string, number> = {
    // The client renews its connection before the break (WebSocketService): the next socket is
    // welcomed while the last still delivers, so nothing is resumed. A drop is what resumes.
    connect: sessions,
    disconnect: sessions,
    resume: workload.resumeEachReconnect ? sessions : 0,
    keepalive: minutes / (DEFAULT_HEARTBEAT_MS / 60_000),
    log: workload.logLines ?? 0,
    'log.viewer': (workload.logLines ?? 0) * (workload.logViewers ?? 0),
  }
  for (const { kind, perMonth, audience } of workload.notifications ?? []) {
    counts[kind] = (counts[kind] ?? 0) + perMonth
    counts[`${kind}.recipient`] = (counts[`${kind}.recipient`] ?? 0) + perMonth * Math.max(0, audience - 1)
  }
  return counts
}

/** The month's usage of each billed item, summed over every payer. */
function monthlyUsage(costs: OperationCosts, counts: Record<string, number>) {
  const total = { gbSeconds: 0, logBytes: 0 } as Record<BilledItem | 'gbSeconds' | 'logBytes', number>
  for (const [operation, count] of Object.entries(counts)) {
    const payers = costs[operation]
    if (!payers) throw new Error(`no measured cost for "${operation}": run npm run bench -- --only cost`)
    for (const [payer, usage] of Object.entries(payers)) {
      for (const [item, quantity] of Object.entries(usage) as [BilledItem, number][])
        total[item] = (total[item] ?? 0) + quantity * count
      const memory = memoryOf(payer)
      if (memory === undefined) continue
      let ms = (usage['lambda.requests'] ?? 0) * DURATION_MODEL_MS.invocation
      for (const [item, quantity] of Object.entries(usage) as [BilledItem, number][])
        ms += quantity * (DURATION_MODEL_MS[item] ?? 0)
      total.gbSeconds += (ms / 1000) * (memory / 1024) * count
    }
  }
  total.logBytes =
    (total['lambda.requests'] ?? 0) * LOG_BYTES.perInvocation +
    (total['apigateway.requests'] ?? 0) * LOG_BYTES.perApiRequest
  return total
}

const line = (price: Price, quantity: number): BillLine => ({
  service: price.service,
  item: price.item,
  quantity: Math.round(quantity),
  unit: price.unit,
  usd: Math.round(priced(price, quantity) * 100) / 100,
})

/** The month's bill for `workload`, line by line, from the measured per-operation costs. */
export function monthlyBill(costs: OperationCosts, workload: Workload): Bill {
  const days = workload.days ?? 30
  const minutes = workload.connections * days * MINUTES_PER_DAY
  const usage = monthlyUsage(costs, operationCounts(workload))
  const idleMinutes = IDLE_POLLS_PER_MINUTE * days * MINUTES_PER_DAY
  const lines = [
    line(PRICES.connectionMinutes, minutes),
    line(PRICES.messages, usage['apigateway.messages'] ?? 0),
    line(PRICES.lambdaRequests, usage['lambda.requests'] ?? 0),
    line(PRICES.lambdaDuration, usage.gbSeconds),
    line(PRICES.writeUnits, usage['dynamodb.writeUnits'] ?? 0),
    line(PRICES.readUnits, usage['dynamodb.readUnits'] ?? 0),
    line(PRICES.snsRequests, usage['sns.requests'] ?? 0),
    line(PRICES.sqsRequests, (usage['sqs.requests'] ?? 0) + idleMinutes),
    line(PRICES.logBytes, usage.logBytes / 1024 ** 3),
  ]
  const floorUsd = priced(PRICES.connectionMinutes, minutes) + priced(PRICES.messages, minutes / 9)
  const totalUsd = lines.reduce((sum, { usd }) => sum + usd, 0)
  return { totalUsd: Math.round(totalUsd * 100) / 100, floorUsd: Math.round(floorUsd * 100) / 100, lines }
}
