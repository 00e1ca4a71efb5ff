import type { TokenVerifierOptions } from '../auth/token-verifier.js'
import { DEFAULTS } from '../defaults.js'
import { ConfigError } from '../errors.js'
import type { EscalationSchedule } from '../escalation/escalation-schedule.js'
import { SEVERITIES, type Severity } from '../protocol/severity.js'
import { KNOWN_PUSH_HOSTS, type PushPolicy } from '../push/push-endpoint.js'
import type { Variable } from './variables.js'

export type Env = Record<string, string | undefined>

/** Reads one variable, naming it when it is missing: a misconfigured function fails at once and says why. */
export function required(env: Env, name: string): string {
  const value = env[name]
  if (value === undefined || value === '') throw new ConfigError(`environment variable ${name} is not set`)
  return value
}

function optionalNumber(env: Env, name: Variable): number | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (!Number.isFinite(number) || number <= 0)
    throw new ConfigError(`environment variable ${name} must be a positive number`)
  return number
}

function list(env: Env, name: Variable): string[] | undefined {
  const value = env[name]
  return value
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined
}

/** Settings of the connection and history stores, shared by every function that touches them. */
export function storeConfig(env: Env) {
  return {
    connectionsTable: required(env, 'HERALD_CONNECTIONS_TABLE'),
    historyTable: required(env, 'HERALD_HISTORY_TABLE'),
    shards: optionalNumber(env, 'HERALD_SHARDS'),
    historySeconds: optionalNumber(env, 'HERALD_HISTORY_SECONDS'),
  }
}

export function managementEndpoint(env: Env): string {
  return required(env, 'HERALD_MANAGEMENT_ENDPOINT')
}

export function deliveryConfig(env: Env) {
  return {
    concurrency: optionalNumber(env, 'HERALD_DELIVERY_CONCURRENCY'),
    deadlineMs: optionalNumber(env, 'HERALD_DELIVERY_DEADLINE_MS'),
  }
}

/**
 * Sharded delivery: the worker queue (none means inline delivery only), when to use it, and this
 * instance's share of the account's Management API quota (HERALD_DELIVERY_RATE/BURST per second).
 */
export function shardingConfig(env: Env) {
  const rate = optionalNumber(env, 'HERALD_DELIVERY_RATE')
  return {
    queueUrl: env.HERALD_DELIVERY_QUEUE_URL || undefined,
    threshold: optionalNumber(env, 'HERALD_FANOUT_BATCH_THRESHOLD'),
    batchSize: optionalNumber(env, 'HERALD_FANOUT_BATCH_SIZE'),
    maxAttempts: optionalNumber(env, 'HERALD_DELIVERY_MAX_ATTEMPTS'),
    budget: rate ? { rate, burst: optionalNumber(env, 'HERALD_DELIVERY_BURST') ?? rate / 2 } : undefined,
  }
}

/** The queue that keeps refused publishes for 14 days; unset, they are only logged and counted. */
export function rejectedQueueUrl(env: Env): string | undefined {
  return env.HERALD_REJECTED_QUEUE_URL || undefined
}

export function sessionConfig(env: Env) {
  return {
    maxMessageBytes: optionalNumber(env, 'HERALD_MAX_CLIENT_MESSAGE_BYTES'),
    resumeLimit: optionalNumber(env, 'HERALD_RESUME_LIMIT'),
  }
}

/** Log streaming from CloudWatch Logs: the per-source cap (events/s) and the environment stamped on each. */
export function logIngestConfig(env: Env) {
  return {
    ratePerSource: optionalNumber(env, 'HERALD_LOG_RATE_PER_SOURCE') ?? DEFAULTS.logRatePerSource,
    environment: env.HERALD_LOG_ENVIRONMENT || undefined,
  }
}

/** Abuse limits: messages per connection per second (with a burst), and live connections per user. */
export function abuseLimits(env: Env) {
  const messagesPerSecond =
    optionalNumber(env, 'HERALD_MAX_MESSAGES_PER_SECOND') ?? DEFAULTS.messagesPerSecond
  return {
    messagesPerSecond,
    messageBurst: optionalNumber(env, 'HERALD_MESSAGE_BURST') ?? messagesPerSecond * 2,
    connectionsPerUser: optionalNumber(env, 'HERALD_MAX_CONNECTIONS_PER_USER') ?? DEFAULTS.connectionsPerUser,
  }
}

function tenantClaim(env: Env): string | undefined {
  return env.HERALD_TENANT_CLAIM || undefined
}

/**
 * Tenants (docs/architecture.md, Tenants and groups): a tenant claim makes the deployment
 * multi-tenant; Herald's own integrations (alarms, streamed logs, EventBridge events) then publish
 * to the operator tenant, which may be `"*"`.
 */
export function tenancyConfig(env: Env) {
  return {
    multiTenant: tenantClaim(env) !== undefined,
    operatorTenant: env.HERALD_OPERATOR_TENANT || undefined,
  }
}

/** Refuses a tenancy that would misroute Herald's own notifications; the construct and the local stack both ask. */
export function checkTenancy(tenantClaim: string | undefined, operatorTenant: string | undefined): void {
  if (tenantClaim && !operatorTenant)
    throw new ConfigError(
      'a tenant claim (tenantClaim, HERALD_TENANT_CLAIM) needs an operator tenant (operatorTenant, HERALD_OPERATOR_TENANT): the tenant alarms, streamed logs and events go to ("*" for every tenant)',
    )
  if (!tenantClaim && operatorTenant)
    throw new ConfigError(
      'an operator tenant (operatorTenant, HERALD_OPERATOR_TENANT) is for multi-tenant deployments: set the tenant claim too',
    )
}

/**
 * Token checks: HERALD_JWKS_URL (OIDC), HERALD_JWT_SECRET_ARN (an HS256 secret in Secrets Manager,
 * read with `readSecret`) or HERALD_JWT_SECRET (the secret itself), plus optional issuer, audience
 * and claims.
 */
export function authConfig(
  env: Env,
  readSecret: (arn: string) => Promise<string> = () =>
    Promise.reject(new ConfigError('no Secrets Manager client')),
): TokenVerifierOptions & { allowedOrigins?: string[] } {
  const { HERALD_JWKS_URL: jwksUrl, HERALD_JWT_SECRET_ARN: secretArn, HERALD_JWT_SECRET: secret } = env
  if (!jwksUrl && !secretArn && !secret) {
    throw new ConfigError('set HERALD_JWKS_URL, HERALD_JWT_SECRET_ARN or HERALD_JWT_SECRET')
  }
  return {
    key: jwksUrl
      ? { kind: 'jwks', url: jwksUrl }
      : { kind: 'secret', secret: secretArn ? () => readSecret(secretArn) : (secret as string) },
    issuer: env.HERALD_JWT_ISSUER || undefined,
    audience: env.HERALD_JWT_AUDIENCE || undefined,
    algorithms: list(env, 'HERALD_JWT_ALGORITHMS'),
    logsClaim: env.HERALD_LOGS_CLAIM || undefined,
    tenantClaim: tenantClaim(env),
    groupsClaim: env.HERALD_GROUPS_CLAIM || undefined,
    emailClaim: env.HERALD_EMAIL_CLAIM || undefined,
    allowedOrigins: list(env, 'HERALD_ALLOWED_ORIGINS'),
  }
}

export function welcomeFunctionName(env: Env): string {
  return required(env, 'HERALD_WELCOME_FUNCTION')
}

/** Where subscriptions may point (docs/architecture.md, Offline delivery); undefined: Web Push is off. */
export function pushPolicy(env: Env): PushPolicy | undefined {
  if (!env.HERALD_VAPID_PUBLIC_KEY) return undefined
  return {
    allowedHosts: list(env, 'HERALD_PUSH_HOSTS') ?? KNOWN_PUSH_HOSTS,
    allowLoopback: env.HERALD_PUSH_ALLOW_LOOPBACK === 'true',
  }
}

/** The push threshold, checked as an alert severity. */
export function pushMinSeverity(env: Env): Severity {
  const value = env.HERALD_PUSH_MIN_SEVERITY ?? DEFAULTS.pushMinSeverity
  if (!(SEVERITIES as readonly string[]).includes(value))
    throw new ConfigError(`HERALD_PUSH_MIN_SEVERITY must be one of ${SEVERITIES.join(', ')}`)
  return value as Severity
}

/** Where escalation schedules go (docs/architecture.md, Offline delivery); undefined: escalation is off. */
export function escalationConfig(env: Env): EscalationSchedule | undefined {
  const targetArn = env.HERALD_ESCALATE_FUNCTION_ARN
  if (!targetArn) return undefined
  return {
    targetArn,
    group: required(env, 'HERALD_ESCALATION_GROUP'),
    roleArn: required(env, 'HERALD_ESCALATION_ROLE_ARN'),
    afterSeconds: optionalNumber(env, 'HERALD_ESCALATE_AFTER_SECONDS') ?? DEFAULTS.escalateAfterSeconds,
  }
}
