import { FUNCTION_SPECS } from '../functions/manifest.js'
import { localFunctionName } from './defaults.js'
import { accessKeyIdOf, credentialsOf, type Guard } from './iam.js'

/**
 * What AWS bills for, as each twin counts it while it serves (docs/architecture.md, What it costs).
 * Messages are API Gateway's 32 KB units, SNS publishes and SQS requests their 64 KB units, and
 * DynamoDB's units are what DynamoDB itself would consume (dynalite computes them; the twin adds
 * the minimum a Query or Scan consumes when it reads nothing). `calls.*` are the AWS calls a
 * function made, from which the cost model estimates its billed duration: the twin's own speed
 * says nothing about Lambda's.
 */
export type BilledItem =
  | 'apigateway.messages'
  | 'apigateway.connectionMinutes'
  /** Not billed itself: each is a line in the stage's access log. */
  | 'apigateway.requests'
  | 'lambda.requests'
  | 'dynamodb.readUnits'
  | 'dynamodb.writeUnits'
  | 'sns.requests'
  | 'sqs.requests'
  /** Each recipient of each e-mail SES sends. */
  | 'ses.emails'
  /** Each target invocation of a schedule. */
  | 'scheduler.invocations'
  | 'calls.dynamodb'
  | 'calls.management'
  | 'calls.lambda'
  | 'calls.sns'
  | 'calls.sqs'
  | 'calls.secretsmanager'
  | 'calls.scheduler'
  | 'calls.ses'

export type Usage = Partial<Record<BilledItem, number>>

/** Who a count is billed to: a function (its manifest name), `clients` (what browsers send and get back), or `operator`. */
export type Payer = string

const PAYERS = new Map(FUNCTION_SPECS.map(([name, spec]) => [credentialsOf(spec.entry).accessKeyId, name]))
const BY_LOCAL_NAME = new Map(FUNCTION_SPECS.map(([name, spec]) => [localFunctionName(spec.entry), name]))

/** The payer of a function's own requests and duration, by its local function name. */
export const functionPayer = (localName: string): Payer => BY_LOCAL_NAME.get(localName) ?? localName

const CALLS: Record<string, BilledItem> = {
  dynamodb: 'calls.dynamodb',
  'execute-api': 'calls.management',
  lambda: 'calls.lambda',
  sns: 'calls.sns',
  sqs: 'calls.sqs',
  secretsmanager: 'calls.secretsmanager',
  scheduler: 'calls.scheduler',
  ses: 'calls.ses',
}

/** `guard`, counting each call it decides against its caller, by service. */
export function meteredGuard(guard: Guard, meter: BillMeter): Guard {
  return (authorization, action, resource) => {
    const item = CALLS[action.split(':')[0] as string]
    if (item) meter.add(payerOf(authorization), item)
    return guard(authorization, action, resource)
  }
}

/** The function whose role signed a request, or `operator` for any other signer (the CLI, tests, publishers). */
export function payerOf(authorization: string | undefined): Payer {
  const accessKeyId = accessKeyIdOf(authorization)
  return (accessKeyId && PAYERS.get(accessKeyId)) || 'operator'
}

/** `bytes` in billing units of `unitBytes`: every request is at least one unit. */
export const unitsOf = (bytes: number, unitBytes: number): number => Math.max(1, Math.ceil(bytes / unitBytes))

export class BillMeter {
  readonly #usage = new Map<Payer, Usage>()

  add(payer: Payer, item: BilledItem, quantity = 1): void {
    const usage = this.#usage.get(payer) ?? {}
    usage[item] = (usage[item] ?? 0) + quantity
    this.#usage.set(payer, usage)
  }

  /** A copy of every count so far, by payer. */
  usage(): Record<Payer, Usage> {
    return Object.fromEntries([...this.#usage].map(([payer, usage]) => [payer, { ...usage }]))
  }
}

/** What was counted between two readings of `usage()`. */
export function usageSince(before: Record<Payer, Usage>, after: Record<Payer, Usage>): Record<Payer, Usage> {
  const delta: Record<Payer, Usage> = {}
  for (const [payer, usage] of Object.entries(after)) {
    for (const [item, quantity] of Object.entries(usage) as [BilledItem, number][]) {
      const change = quantity - (before[payer]?.[item] ?? 0)
      if (change !== 0) delta[payer] = { ...delta[payer], [item]: change }
    }
  }
  return delta
}
