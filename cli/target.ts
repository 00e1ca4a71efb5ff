import { readFile } from 'node:fs/promises'
import { LOCAL_CONFIG_FILE } from '../local/defaults.js'
import { ConfigError } from '../shared/errors.js'

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

type Outputs = Record<string, unknown>

/**
 * Reads `.herald/local.json` (written by `npm start`), or with `--config` either such a file or
 * the outputs file of `cdk deploy --outputs-file` (`{ "<Stack>": { "WebSocketUrl": …, … } }`).
 */
export async function loadTarget(configFile?: string): Promise<Target> {
  const path = configFile ?? LOCAL_CONFIG_FILE
  let parsed: Outputs
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Outputs
  } catch (error) {
    const hint = configFile ? '' : ' (is `npm start` running in this folder?)'
    throw new ConfigError(`cannot read ${path}${hint}: ${(error as Error).message}`)
  }
  if (typeof parsed.websocketUrl === 'string') {
    return {
      websocketUrl: parsed.websocketUrl,
      topicArn: String(parsed.topicArn),
      region: String(parsed.region),
      snsEndpoint: String(parsed.snsEndpoint),
      sqsEndpoint: parsed.sqsEndpoint as string | undefined,
      lambdaEndpoint: parsed.lambdaEndpoint as string | undefined,
      deliveryQueueUrl: parsed.deliveryQueueUrl as string | undefined,
      deadLetterQueueUrl: parsed.deadLetterQueueUrl as string | undefined,
      rejectedQueueUrl: parsed.rejectedQueueUrl as string | undefined,
      smokeAlarmName: parsed.smokeAlarmName as string | undefined,
      tenantClaim: parsed.tenantClaim as string | undefined,
      operatorTenant: parsed.operatorTenant as string | undefined,
      local: true,
    }
  }
  const stack = Object.values(parsed).find(
    (outputs): outputs is Outputs =>
      typeof outputs === 'object' && outputs !== null && 'WebSocketUrl' in outputs,
  )
  if (!stack)
    throw new ConfigError(`${path} has neither local endpoints nor a stack output named WebSocketUrl`)
  const topicArn = String(stack.TopicArn)
  return {
    websocketUrl: String(stack.WebSocketUrl),
    topicArn,
    region: String(stack.Region ?? topicArn.split(':')[3]),
    deliveryQueueUrl: stack.DeliveryQueueUrl as string | undefined,
    deadLetterQueueUrl: stack.DeadLetterQueueUrl as string | undefined,
    rejectedQueueUrl: stack.RejectedQueueUrl as string | undefined,
    smokeAlarmName: stack.SmokeAlarmName as string | undefined,
    tokenSecretArn: stack.TokenSecretArn as string | undefined,
    tenantClaim: stack.TenantClaim as string | undefined,
    operatorTenant: stack.OperatorTenant as string | undefined,
    local: false,
  }
}
