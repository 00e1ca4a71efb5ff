import { Duration } from 'aws-cdk-lib'
import { workerShare } from '../shared/fan-out/delivery-budget.js'
import { withSmokeRoute } from '../shared/integrations/smoke.js'
import { resourceVariables, type Variable } from '../shared/runtime/variables.js'
import type { Herald } from './herald.js'
import type { HeraldProps } from './herald-props.js'
import { smokeAlarmName } from './smoke-alarm.js'

const text = (value: number | undefined): string | undefined =>
  value === undefined ? undefined : String(value)

/**
 * The value of every variable the construct sets, from its props and resources; each function
 * gets those its manifest entry reads. Unset ones take the function's default.
 */
export function environmentValues(herald: Herald, props: HeraldProps): Partial<Record<Variable, string>> {
  const auth = props.auth ?? { mode: 'secret' }
  const oidc = auth.mode === 'oidc' ? auth : undefined
  return {
    ...resourceVariables({
      connections: herald.connectionsTable.tableName,
      history: herald.historyTable.tableName,
      deliveries: herald.deliveryQueue.queueUrl,
      rejected: herald.rejectedQueue.queueUrl,
      welcome: herald.functions.welcome.functionName,
      tokenSecret: herald.tokenSecret?.secretArn,
      managementApi: herald.managementUrl,
      // Without `push`, no function is pointed at the push function: Web Push is off.
      push: props.push ? herald.functions.push.functionName : undefined,
      vapidKey: props.push?.vapidPrivateKey.secretArn,
      // Without `escalation`, no function is pointed at the escalate function: escalation is off.
      escalate: herald.escalation && herald.functions.escalate.functionArn,
      schedules: herald.escalation?.group.ref,
      schedulerRole: herald.escalation?.role.roleArn,
      emailIdentity: undefined,
    }),
    HERALD_ESCALATE_AFTER_SECONDS: text(props.escalation?.after?.toSeconds()),
    HERALD_EMAIL_FROM: props.escalation?.fromAddress,
    HERALD_EMAIL_LINK: props.escalation?.link,
    HERALD_EMAIL_CLAIM: props.escalation?.emailClaim,
    HERALD_VAPID_PUBLIC_KEY: props.push?.vapidPublicKey,
    HERALD_VAPID_SUBJECT: props.push?.subject,
    HERALD_PUSH_HOSTS: props.push?.allowedHosts?.join(','),
    HERALD_PUSH_MIN_SEVERITY: props.push?.minSeverity,
    HERALD_SHARDS: text(props.shards),
    HERALD_HISTORY_SECONDS: String((props.historyRetention ?? Duration.hours(24)).toSeconds()),
    HERALD_JWKS_URL: oidc?.jwksUrl,
    HERALD_JWT_ISSUER: oidc?.issuer,
    HERALD_JWT_AUDIENCE: oidc?.audience,
    HERALD_LOGS_CLAIM: props.logsClaim,
    HERALD_TENANT_CLAIM: props.tenantClaim,
    HERALD_GROUPS_CLAIM: props.groupsClaim,
    HERALD_OPERATOR_TENANT: props.operatorTenant,
    HERALD_ALLOWED_ORIGINS: props.allowedOrigins?.length ? props.allowedOrigins.join(',') : undefined,
    HERALD_DELIVERY_CONCURRENCY: text(props.deliveryConcurrency),
    HERALD_FANOUT_BATCH_THRESHOLD: text(props.fanOutBatchThreshold),
    HERALD_ALARM_RULES: JSON.stringify(withSmokeRoute(smokeAlarmName(herald), props.alarmRules)),
    HERALD_LOG_RATE_PER_SOURCE: text(props.logRatePerSource),
    HERALD_LOG_ENVIRONMENT: props.logEnvironment,
    HERALD_EVENT_MAPPINGS: JSON.stringify(props.eventMappings ?? []),
  }
}

/** The delivery workers' settings: each takes an equal share of the account's Management API quota. */
export function workerValues(props: HeraldProps): Partial<Record<Variable, string>> {
  const share = workerShare(props.deliveryBudget ?? { rate: 10_000, burst: 5_000 }, workersOf(props))
  return { HERALD_DELIVERY_RATE: String(share.rate), HERALD_DELIVERY_BURST: String(share.burst) }
}

export function workersOf(props: HeraldProps): number {
  return props.deliveryWorkers ?? 10
}
