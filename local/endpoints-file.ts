import { readFile } from 'node:fs/promises'
import * as v from 'valibot'
import { ConfigError } from '../shared/errors.js'
import { describeIssues } from '../shared/protocol/issues.js'

const url = v.pipe(v.string(), v.url())

/** The endpoints of a running local stack, declared once: what `npm start` writes to `.herald/local.json`. */
export const LocalEndpointsSchema = v.object({
  websocketUrl: url,
  managementUrl: url,
  snsEndpoint: url,
  dynamodbEndpoint: url,
  lambdaEndpoint: url,
  sqsEndpoint: url,
  /** The SES twin, whose outbox `herald outbox` lists (a file from before e-mail escalation has none). */
  sesEndpoint: v.optional(url),
  deliveryQueueUrl: url,
  deadLetterQueueUrl: url,
  rejectedQueueUrl: url,
  /** What `npm run smoke` sends as an alarm state change. */
  smokeAlarmName: v.string(),
  /** Multi-tenant only: the claim tokens carry the tenant in, and where Herald's own alarms go. */
  tenantClaim: v.optional(v.string()),
  operatorTenant: v.optional(v.string()),
  topicArn: v.string(),
  region: v.string(),
  dashboardUrl: v.optional(url),
  /** The VAPID public key browsers subscribe to Web Push with (a file from before 0.3 has none). */
  vapidPublicKey: v.optional(v.string()),
})

export type LocalEndpoints = v.InferOutput<typeof LocalEndpointsSchema>

/** Whether a parsed file is the local stack's endpoints (rather than a deployed stack's outputs). */
export const isLocalEndpoints = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && 'websocketUrl' in value

/** `value` as the local stack's endpoints, or a ConfigError naming what is wrong in `path`. */
export function localEndpointsOf(value: unknown, path: string): LocalEndpoints {
  const parsed = v.safeParse(LocalEndpointsSchema, value)
  if (!parsed.success) throw new ConfigError(`${path}: ${describeIssues(parsed.issues).join('; ')}`)
  return parsed.output
}

/** Reads and checks the endpoints file `npm start` wrote. */
export async function readEndpoints(path: string): Promise<LocalEndpoints> {
  return localEndpointsOf(JSON.parse(await readFile(path, 'utf8')), path)
}
