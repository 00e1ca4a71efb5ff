import { readFile } from 'node:fs/promises'
import * as v from 'valibot'
import { LOCAL_CONFIG_FILE } from '../local/defaults.js'
import { isLocalEndpoints, localEndpointsOf } from '../local/endpoints-file.js'
import { ConfigError } from '../shared/errors.js'
import { describeIssues } from '../shared/protocol/issues.js'

/** The Herald a command talks to: the local stack, or a deployed one. */
export interface Target {
  websocketUrl: string
  topicArn: string
  region: string
  /** Set for the local stack; a deployed stack uses SNS's regional endpoint. */
  snsEndpoint?: string
  /** Set for the local stack, likewise. */
  sqsEndpoint?: string
  lambdaEndpoint?: string
  /** The local SES twin, which keeps what it sent (`herald outbox`). */
  sesEndpoint?: string
  deliveryQueueUrl?: string
  deadLetterQueueUrl?: string
  rejectedQueueUrl?: string
  /** The alarm `npm run smoke` sets (a deployed stack) or sends as CloudWatch would (local). */
  smokeAlarmName?: string
  /** The HS256 key's secret, in `secret` auth mode. */
  tokenSecretArn?: string
  /** Multi-tenant only: the claim tokens carry the tenant in, and where Herald's own alarms go. */
  tenantClaim?: string
  operatorTenant?: string
  local: boolean
}

/** The outputs `cdk deploy --outputs-file` writes for Herald's stack (infra/herald-stack.ts). */
const StackOutputsSchema = v.object({
  WebSocketUrl: v.string(),
  TopicArn: v.string(),
  Region: v.optional(v.string()),
  DeliveryQueueUrl: v.optional(v.string()),
  DeadLetterQueueUrl: v.optional(v.string()),
  RejectedQueueUrl: v.optional(v.string()),
  SmokeAlarmName: v.optional(v.string()),
  TokenSecretArn: v.optional(v.string()),
  TenantClaim: v.optional(v.string()),
  OperatorTenant: v.optional(v.string()),
})

/** The stack outputs in an outputs file (`{ "<Stack>": { "WebSocketUrl": …, … } }`), checked. */
function stackOutputsOf(parsed: unknown, path: string): v.InferOutput<typeof StackOutputsSchema> {
  const stack = Object.values(parsed as Record<string, unknown>).find(
    (outputs) => typeof outputs === 'object' && outputs !== null && 'WebSocketUrl' in outputs,
  )
  if (!stack)
    throw new ConfigError(`${path} has neither local endpoints nor a stack output named WebSocketUrl`)
  const outputs = v.safeParse(StackOutputsSchema, stack)
  if (!outputs.success) throw new ConfigError(`${path}: ${describeIssues(outputs.issues).join('; ')}`)
  return outputs.output
}

/**
 * Reads `.herald/local.json` (written by `npm start`), or with `--config` either such a file or
 * the outputs file of `cdk deploy --outputs-file`.
 */
export async function loadTarget(configFile?: string): Promise<Target> {
  const path = configFile ?? LOCAL_CONFIG_FILE
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    const hint = configFile ? '' : ' (is `npm start` running in this folder?)'
    throw new ConfigError(`cannot read ${path}${hint}: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ConfigError(`${path} is not a JSON object`)
  if (isLocalEndpoints(parsed)) return { ...localEndpointsOf(parsed, path), local: true }
  const stack = stackOutputsOf(parsed, path)
  return {
    websocketUrl: stack.WebSocketUrl,
    topicArn: stack.TopicArn,
    region: stack.Region ?? (stack.TopicArn.split(':')[3] as string),
    deliveryQueueUrl: stack.DeliveryQueueUrl,
    deadLetterQueueUrl: stack.DeadLetterQueueUrl,
    rejectedQueueUrl: stack.RejectedQueueUrl,
    smokeAlarmName: stack.SmokeAlarmName,
    tokenSecretArn: stack.TokenSecretArn,
    tenantClaim: stack.TenantClaim,
    operatorTenant: stack.OperatorTenant,
    local: false,
  }
}
